"""The dashboard's charts for one campus-local day, counted in SQL-fed Python and drawn as SVG.

Per gate per hour (stacked admit / reject), reject reasons, guard overrides and fevers. The
SVG is built from numbers and escaped labels only; no script, no external resource.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from sqlalchemy import select

from central.admin import DECISIONS
from central.context import Central
from kiosk.store.db import read_connection, write_connection

COLOURS = {"admit": "#2e7d32", "reject": "#c62828", "pending": "#f9a825"}


@dataclass
class DayCounts:
    """What happened at every gate on one day."""

    day: dt.date
    per_gate_hour: dict[str, Counter[tuple[int, str]]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    overrides: Counter[str] = field(default_factory=Counter)
    fevers: Counter[str] = field(default_factory=Counter)
    total: int = 0


def day_counts(central: Central, day: dt.date, actor: str) -> DayCounts:
    """Count the day's decisions (campus-local day); the read is audited."""
    start = dt.datetime.combine(day, dt.time(), central.tz).astimezone(dt.UTC)
    end = start + dt.timedelta(days=1)
    d = DECISIONS.c
    stmt = select(d.at, d.gate, d.outcome, d.payload).where(
        d.kind == "decision", d.at >= start, d.at < end
    )
    counts = DayCounts(day)
    with read_connection(central.engine) as conn:
        for at, gate, outcome, payload in conn.execute(stmt):
            hour = at.astimezone(central.tz).hour
            counts.per_gate_hour.setdefault(gate, Counter())[(hour, outcome or "pending")] += 1
            counts.total += 1
            body = json.loads(payload)
            if outcome == "reject":
                counts.reasons.update(body.get("reasons") or [])
            if body.get("override"):
                counts.overrides[gate] += 1
            if "FEVER" in (body.get("reasons") or []) + (body.get("warnings") or []):
                counts.fevers[gate] += 1
    with write_connection(central.engine) as conn, conn.begin():
        central.audit(conn, actor, "web_charts", day=day.isoformat(), rows=counts.total)
    return counts


def hourly_svg(counts: Counter[tuple[int, str]], title: str) -> str:
    """Stacked bars of admits and rejects for each hour of the day."""
    width, height, pad = 480, 160, 24
    peak = max([sum(counts[(h, o)] for o in COLOURS) for h in range(24)] + [1])
    bar = (width - 2 * pad) / 24
    parts = [_open(width, height, title)]
    for hour in range(24):
        y = float(height - pad)
        for outcome, colour in COLOURS.items():
            n = counts[(hour, outcome)]
            if not n:
                continue
            h = (height - 2 * pad) * n / peak
            y -= h
            x = pad + hour * bar + 1
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}"'
                f' fill="{colour}"><title>{hour:02d}:00 {outcome} {n}</title></rect>'
            )
        if hour % 3 == 0:
            x = pad + hour * bar
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="10">{hour:02d}</text>')
    parts.append(f'<text x="{pad}" y="14" font-size="11">max {peak}/h</text></svg>')
    return "".join(parts)


def bars_svg(counts: Counter[str], title: str, colour: str = "#c62828") -> str:
    """Horizontal bars, largest first (at most 12)."""
    items = counts.most_common(12)
    width, row = 480, 20
    height = max(1, len(items)) * row + 8
    peak = max([n for _, n in items] + [1])
    parts = [_open(width, height, title)]
    if not items:
        parts.append('<text x="4" y="16" font-size="12">—</text>')
    for i, (label, n) in enumerate(items):
        w = 220 * n / peak
        y = 4 + i * row
        parts.append(
            f'<text x="4" y="{y + 13}" font-size="11">{escape(str(label))[:40]}</text>'
            f'<rect x="250" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{colour}"/>'
            f'<text x="{254 + w:.1f}" y="{y + 13}" font-size="11">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img"'
        f' class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
