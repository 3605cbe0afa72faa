"""A registry held in memory: the reference :class:`RegistryView` for engine tests and tools."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext

from kiosk.core.datasets import DatasetTimes
from kiosk.core.registry import (
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    RegistrySnapshot,
    RiskArea,
    StayApproval,
    Vehicle,
    VisitApproval,
)


class MemoryRegistry:
    """Answers the engine's point lookups by scanning the lists of a :class:`RegistrySnapshot`."""

    def __init__(self, snapshot: RegistrySnapshot) -> None:
        self.data = snapshot

    def snapshot(self) -> AbstractContextManager[MemoryRegistry]:
        """Lookups in memory are always consistent."""
        return nullcontext(self)

    @property
    def version(self) -> str:
        return self.data.version

    @property
    def synced_at(self) -> dt.datetime | None:
        return self.data.synced_at

    @property
    def data_as_of(self) -> DatasetTimes:
        """Every dataset current as of the snapshot's sync time."""
        return DatasetTimes.uniform(self.data.synced_at)

    def person(self, person_no: str) -> Person | None:
        return next((p for p in self.data.people if p.person_no == person_no), None)

    def person_by_id(self, id_hmac: str) -> Person | None:
        return next((p for p in self.data.people if p.id_hmac == id_hmac), None)

    def visit_approval(self, approval_no: str) -> VisitApproval | None:
        return next((v for v in self.data.visit_approvals if v.approval_no == approval_no), None)

    def visit_approvals_for(self, id_hmac: str) -> list[VisitApproval]:
        return [v for v in self.data.visit_approvals if v.id_hmac == id_hmac]

    def visit_approvals_for_plate(self, plate: str) -> list[VisitApproval]:
        return [v for v in self.data.visit_approvals if v.plate == plate]

    def vehicle(self, plate: str) -> Vehicle | None:
        return next((v for v in self.data.vehicles if v.plate == plate), None)

    def stay_approvals(self, person_no: str) -> list[StayApproval]:
        return [s for s in self.data.stay_approvals if s.person_no == person_no]

    def leave_approvals(self, person_no: str) -> list[LeaveApproval]:
        return [lv for lv in self.data.leave_approvals if lv.person_no == person_no]

    def quarantines(self, id_hmac: str | None, person_no: str | None) -> list[Quarantine]:
        return [
            q
            for q in self.data.quarantines
            if (id_hmac is not None and q.id_hmac == id_hmac)
            or (person_no is not None and q.person_no == person_no)
        ]

    def risk_areas(self, region_codes: list[str]) -> list[RiskArea]:
        wanted = set(region_codes)
        return [a for a in self.data.risk_areas if a.region_code in wanted]

    def checkin(self, person_no: str, date: dt.date) -> Checkin | None:
        return next(
            (c for c in self.data.checkins if c.person_no == person_no and c.date == date),
            None,
        )

    def is_revoked(self, kind: str, person_no: str) -> bool:
        return any(r.kind == kind and r.person_no == person_no for r in self.data.revocations)
