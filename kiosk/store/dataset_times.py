"""The per-dataset sync times of the registry (rule R15), read and written inside the caller's
transaction so they move only with the data they describe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from kiosk.core.datasets import DATASETS, DatasetTimes
from kiosk.store import models as m
from kiosk.store.records import table_of

TIMES = table_of(m.DatasetTimeRow)


@dataclass(frozen=True)
class DatasetSync:
    """What the gate knows about one dataset's currency."""

    dataset: str
    synced_at: dt.datetime | None
    """Server time of the last answer that brought it to the feed's head; ``None``: never."""
    source_at: dt.datetime | None = None
    """When the server said its source last delivered it; ``None``: not said."""

    @property
    def as_of(self) -> dt.datetime | None:
        """The copy reflects the source as of this time: the earlier of the two."""
        if self.synced_at is None or self.source_at is None:
            return self.synced_at
        return min(self.synced_at, self.source_at)


def check_sources(sources: Mapping[str, dt.datetime]) -> None:
    """Raise ``ValueError`` for an unknown dataset or a naive time."""
    for name, at in sources.items():
        if name not in DATASETS:
            raise ValueError(f"unknown dataset {name!r}")
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"{name}: naive datetime {at.isoformat()} (give a time zone)")


def write_synced(
    conn: Connection, synced_at: dt.datetime, sources: Mapping[str, dt.datetime] | None = None
) -> None:
    """Every dataset is current as of ``synced_at``; ``sources`` gives the server's source
    time of some (the others have none)."""
    sources = sources or {}
    conn.execute(delete(TIMES))
    conn.execute(
        TIMES.insert(),
        [
            {"dataset": name, "synced_at": synced_at, "source_at": sources.get(name)}
            for name in DATASETS
        ],
    )


def read_syncs(conn: Connection) -> list[DatasetSync]:
    """One entry per dataset, in ``DATASETS`` order (never-synced ones with ``None``)."""
    rows = {r.dataset: r for r in conn.execute(select(TIMES))}
    out = []
    for name in DATASETS:
        row = rows.get(name)
        out.append(
            DatasetSync(name, row.synced_at, row.source_at)
            if row is not None
            else DatasetSync(name, None)
        )
    return out


def times_of(syncs: list[DatasetSync]) -> DatasetTimes:
    """The decision's view: each synced dataset's ``as_of``."""
    return DatasetTimes({s.dataset: s.as_of for s in syncs if s.as_of is not None})


def oldest_synced(syncs: list[DatasetSync]) -> dt.datetime | None:
    """When every dataset was last synced together: the oldest ``synced_at`` (``None`` when
    one never was)."""
    times = [s.synced_at for s in syncs]
    if any(t is None for t in times):
        return None
    return min(t for t in times if t is not None)
