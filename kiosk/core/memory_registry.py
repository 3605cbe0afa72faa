"""A registry held in memory: the reference :class:`RegistryView` for engine tests and tools."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk.core.registry import (
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    RiskArea,
    StayApproval,
    VisitApproval,
)


@dataclass
class MemoryRegistry:
    """Lists of registry records answering the engine's point lookups by scanning."""

    people: list[Person] = field(default_factory=list)
    visits: list[VisitApproval] = field(default_factory=list)
    stays: list[StayApproval] = field(default_factory=list)
    leaves: list[LeaveApproval] = field(default_factory=list)
    quarantine: list[Quarantine] = field(default_factory=list)
    areas: list[RiskArea] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)
    revoked: set[tuple[str, str]] = field(default_factory=set)
    registry_version: str = "memory"
    registry_synced_at: dt.datetime | None = None

    @property
    def version(self) -> str:
        return self.registry_version

    @property
    def synced_at(self) -> dt.datetime | None:
        return self.registry_synced_at

    def person(self, person_no: str) -> Person | None:
        return next((p for p in self.people if p.person_no == person_no), None)

    def person_by_id(self, id_hmac: str) -> Person | None:
        return next((p for p in self.people if p.id_hmac == id_hmac), None)

    def visit_approval(self, approval_no: str) -> VisitApproval | None:
        return next((v for v in self.visits if v.approval_no == approval_no), None)

    def visit_approvals_for(self, id_hmac: str) -> list[VisitApproval]:
        return [v for v in self.visits if v.id_hmac == id_hmac]

    def stay_approvals(self, person_no: str) -> list[StayApproval]:
        return [s for s in self.stays if s.person_no == person_no]

    def leave_approvals(self, person_no: str) -> list[LeaveApproval]:
        return [lv for lv in self.leaves if lv.person_no == person_no]

    def quarantines(self, id_hmac: str | None, person_no: str | None) -> list[Quarantine]:
        return [
            q
            for q in self.quarantine
            if (id_hmac is not None and q.id_hmac == id_hmac)
            or (person_no is not None and q.person_no == person_no)
        ]

    def risk_areas(self, region_codes: list[str]) -> list[RiskArea]:
        wanted = set(region_codes)
        return [a for a in self.areas if a.region_code in wanted]

    def checkin(self, person_no: str, date: dt.date) -> Checkin | None:
        return next((c for c in self.checkins if c.person_no == person_no and c.date == date), None)

    def is_revoked(self, kind: str, person_no: str) -> bool:
        return (kind, person_no) in self.revoked
