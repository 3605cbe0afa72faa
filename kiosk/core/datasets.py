"""The registry's datasets and how current the gate's copy of each is (rule R15).

A dataset is one registry kind (``kiosk.store.records.ALL_KINDS`` uses the same names). Each
has its own "as of" time: the gate's copy reflects its source no later than that. A pull that
reaches the feed's head makes every dataset current as of the server's answer, unless the
server says the dataset's source delivered earlier (``docs/sync.md``, "Freshness").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DATASETS: tuple[str, ...] = (
    "people",
    "visit_approvals",
    "stay_approvals",
    "leave_approvals",
    "quarantines",
    "risk_areas",
    "checkins",
    "revocations",
    "trust_keys",
    "vehicles",
)
"""Every dataset, in the order the registry tables are listed."""


@dataclass(frozen=True)
class DatasetTimes:
    """When the gate's copy of each dataset was last known to match its source.

    A dataset missing from ``as_of`` was never brought up to date (an import is not a sync).
    """

    as_of: Mapping[str, dt.datetime] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name, at in self.as_of.items():
            if name not in DATASETS:
                raise ValueError(f"unknown dataset {name!r}")
            if at.tzinfo is None or at.utcoffset() is None:
                raise ValueError(f"{name}: naive datetime {at.isoformat()}")
        object.__setattr__(self, "as_of", MappingProxyType(dict(self.as_of)))

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.as_of.items())))

    @classmethod
    def uniform(cls, at: dt.datetime | None, datasets: Iterable[str] = DATASETS) -> DatasetTimes:
        """Every dataset current as of ``at`` (``None``: none ever was)."""
        return cls({} if at is None else {name: at for name in datasets})

    def of(self, dataset: str) -> dt.datetime | None:
        """When ``dataset`` was last current, or ``None`` when it never was."""
        return self.as_of.get(dataset)

    def oldest(self, datasets: Iterable[str] = DATASETS) -> tuple[str, dt.datetime | None] | None:
        """The least current of ``datasets`` (a never-synced one first); ``None`` if empty."""
        names = list(datasets)
        if not names:
            return None
        never = [n for n in names if n not in self.as_of]
        if never:
            return never[0], None
        name = min(names, key=lambda n: self.as_of[n])
        return name, self.as_of[name]

    def replaced(self, **as_of: dt.datetime) -> DatasetTimes:
        """These times with some datasets' times replaced."""
        return DatasetTimes({**self.as_of, **as_of})


@dataclass(frozen=True)
class StaleDataset:
    """One dataset too old for a decision: why R15 asked the guard (kept in the log record)."""

    dataset: str
    as_of: dt.datetime | None
    """When the gate's copy was last current; ``None``: never synced."""
    age_s: float | None
    """``now - as_of`` at the decision; ``None`` when never synced."""
    max_age_h: float
    same_day: bool = False
    """True when the dataset must be current as of the decision's campus-local day."""

    def as_dict(self) -> dict[str, object]:
        """The log record's form (times ISO-8601, hours rounded to 0.01)."""
        return {
            "dataset": self.dataset,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "age_h": round(self.age_s / 3600, 2) if self.age_s is not None else None,
            "max_age_h": self.max_age_h,
            "same_day": self.same_day,
        }

    def describe(self) -> str:
        """One line: ``checkins 30.0 h old (limit 24 h)`` or ``quarantines never synced``."""
        if self.age_s is None:
            return f"{self.dataset} never synced"
        limit = f"limit {self.max_age_h:g} h" + (", same day" if self.same_day else "")
        return f"{self.dataset} {self.age_s / 3600:.1f} h old ({limit})"
