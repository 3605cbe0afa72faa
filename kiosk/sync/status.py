"""What the kiosk knows about its link to the central server, for the screen and the CLI.

The sync worker publishes a new :class:`SyncStatus` after every attempt; readers (the status
bar, ``kiosk sync status``) only read it. A kiosk with no server configured reports
``configured=False`` and shows "not configured", never invented figures.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kiosk.core.datasets import DATASETS, DatasetTimes
from kiosk.store.dataset_times import DatasetSync
from kiosk.store.private import write_private

TIMES = ("last_success", "registry_synced_at")


@dataclass(frozen=True)
class SyncStatus:
    """One reading of the sync state; ``None`` fields are unknown, not zero."""

    configured: bool
    """Whether a server URL and gate token are set."""
    last_success: dt.datetime | None = None
    """When the last pull or push fully succeeded (UTC)."""
    last_error: str | None = None
    """One line on the last failure, cleared by a success."""
    backlog: int | None = None
    """Decision records waiting to be uploaded (pending + in flight)."""
    rejected: int | None = None
    """Records the server refused for good (kept, visible, never dropped)."""
    registry_version: str | None = None
    """The registry version the kiosk last applied."""
    registry_synced_at: dt.datetime | None = None
    """When the registry was last brought up to date from the server (UTC)."""
    clock_skew_s: float | None = None
    """Server time minus kiosk time, from the server's ``Date`` header."""
    datasets: tuple[DatasetSync, ...] = ()
    """How current each registry dataset is (R15); empty: not known."""

    def registry_age_s(self, now: dt.datetime) -> float | None:
        """Seconds since the registry was last synced, or ``None`` when it never was."""
        if self.registry_synced_at is None:
            return None
        return max(0.0, (now - self.registry_synced_at).total_seconds())

    def dataset_ages_s(self, now: dt.datetime) -> dict[str, float | None]:
        """Seconds since each dataset was last current (``None``: never synced)."""
        return {d.dataset: _age_s(now, d.as_of) for d in self.datasets}

    def oldest_dataset(self, now: dt.datetime) -> tuple[str, float | None] | None:
        """The least current dataset and its age (a never-synced one first); ``None`` when
        the datasets are not known."""
        times = DatasetTimes({d.dataset: d.as_of for d in self.datasets if d.as_of is not None})
        oldest = times.oldest([d.dataset for d in self.datasets])
        if oldest is None:
            return None
        name, as_of = oldest
        return name, _age_s(now, as_of)


NOT_CONFIGURED = SyncStatus(configured=False)
"""The status of a kiosk with no server: the screen says "not configured"."""


STATUS_FILE = "sync-status.json"
"""Where the worker leaves its last status in the data directory, for ``kiosk sync status``."""


def status_to_json(status: SyncStatus) -> dict[str, Any]:
    """The status as a JSON object (times ISO-8601 UTC, unknowns ``null``)."""
    out: dict[str, Any] = {}
    for f in fields(status):
        value = getattr(status, f.name)
        out[f.name] = value.isoformat() if isinstance(value, dt.datetime) else value
    out["datasets"] = [
        {"dataset": d.dataset, "synced_at": _iso(d.synced_at), "source_at": _iso(d.source_at)}
        for d in status.datasets
    ]
    return out


def status_from_json(data: Any) -> SyncStatus:
    """A status written by :func:`status_to_json`; unreadable fields become unknown."""
    if not isinstance(data, dict):
        return SyncStatus(configured=True)
    values: dict[str, Any] = {}
    for f in fields(SyncStatus):
        value = data.get(f.name)
        if f.name in TIMES:
            value = _time(value)
        values[f.name] = value
    values["configured"] = bool(values.get("configured"))
    values["datasets"] = _datasets(data.get("datasets"))
    return SyncStatus(**values)


def _datasets(value: Any) -> tuple[DatasetSync, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for item in value:
        if isinstance(item, dict) and item.get("dataset") in DATASETS:
            synced, source = _time(item.get("synced_at")), _time(item.get("source_at"))
            out.append(DatasetSync(str(item["dataset"]), synced, source))
    return tuple(out)


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _age_s(now: dt.datetime, at: dt.datetime | None) -> float | None:
    return None if at is None else max(0.0, (now - at).total_seconds())


def save_status(path: Path, status: SyncStatus) -> None:
    """Write ``status`` to ``path`` atomically (owner-only)."""
    write_private(path, json.dumps(status_to_json(status)).encode("utf-8"))


def load_status(path: Path) -> SyncStatus | None:
    """The last status saved at ``path``, or None when there is none (or it is unreadable)."""
    try:
        return status_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
