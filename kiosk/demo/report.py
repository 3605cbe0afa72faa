"""The demo day's report: each decision with its reasons, as JSON and Markdown.

A :class:`DayReport` listens to the gate service; :meth:`DayReport.write` puts
``report.json`` and ``report.md`` (listing the screenshots taken) into a directory.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.reasons import message
from kiosk.service import ServiceListener, TransactionView


@dataclass
class DecisionRow:
    """One logged decision as the report shows it."""

    at: str
    who: str
    outcome: str
    reasons: list[dict[str, str]]
    warnings: list[str]
    temperature_c: float | None
    identified_by: list[str]
    turnstile: str
    override: str | None = None


@dataclass
class DayReport(ServiceListener):
    """Collects every final decision (and the relay's answer) while the day plays."""

    rows: dict[str, DecisionRow] = field(default_factory=dict)
    screenshots: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def on_decision(self, view: TransactionView) -> None:
        """A decision was logged."""
        last = view.readings[-1].body_c if view.readings else None
        s = view.subject
        row = DecisionRow(
            at=view.started_at.isoformat(timespec="seconds"),
            who=s.person_no or s.name_masked or "-",
            outcome=view.outcome,
            reasons=[
                {"code": r.value, "zh": message(r, "zh_CN"), "en": message(r, "en")}
                for r in view.reasons
            ],
            warnings=[r.value for r in view.warnings],
            temperature_c=last,
            identified_by=list(view.identified_by),
            turnstile=view.relay,
            override=view.override.reason if view.override else None,
        )
        with self._lock:
            self.rows[view.id] = row

    def on_relay(self, view: TransactionView) -> None:
        """The relay answered for an admit."""
        with self._lock:
            if view.id in self.rows:
                self.rows[view.id].turnstile = view.relay

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        with self._lock:
            rows = [asdict(r) for r in self.rows.values()]
        admitted = sum(1 for r in rows if r["outcome"] == "admit")
        return {
            "decisions": rows,
            "admitted": admitted,
            "refused": len(rows) - admitted,
            "screenshots": list(self.screenshots),
        }

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write ``report.json`` and ``report.md`` into ``directory``; return their paths."""
        directory.mkdir(parents=True, exist_ok=True)
        data = self.as_dict()
        json_path = directory / "report.json"
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        lines = [
            "# Demo gate day",
            "",
            f"{len(data['decisions'])} decisions: {data['admitted']} admitted, "
            f"{data['refused']} refused.",
            "",
            "| time | who | outcome | reasons | temperature | by | turnstile |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in data["decisions"]:
            reasons = "; ".join(f"{x['zh']} / {x['en']} (`{x['code']}`)" for x in r["reasons"])
            if r["warnings"]:
                reasons += (" " if reasons else "") + "warnings: " + ", ".join(r["warnings"])
            if r["override"]:
                reasons += f" override: {r['override']}"
            temp = "" if r["temperature_c"] is None else f"{r['temperature_c']:.1f} °C"
            lines.append(
                f"| {r['at'][11:19]} | {r['who']} | {r['outcome']} | {reasons} | {temp} | "
                f"{', '.join(r['identified_by'])} | {r['turnstile']} |"
            )
        if data["screenshots"]:
            lines += ["", "## Screens", ""]
            lines += [f"![{name}]({name})" for name in data["screenshots"]]
        md_path = directory / "report.md"
        md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return json_path, md_path
