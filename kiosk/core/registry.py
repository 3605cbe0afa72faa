"""Registry records as the policy engine sees them, and the read-only view it queries.

The store implements :class:`RegistryView` over SQL; tests and tools may use any other
implementation. Identity numbers never appear here in the clear: people and approvals are
matched on ``id_hmac`` (keyed HMAC of the ID number, design §6).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, get_args

from kiosk.core.datasets import DatasetTimes

# The vocabularies of registry records, defined here once; CSV import, scenario files and the
# rules take them from here.
Role = Literal[
    "student", "staff", "contractor", "courier_fixed", "courier_temp", "delivery", "visitor"
]
Status = Literal["approved", "pending", "rejected", "cancelled"]
LeaveKind = Literal["campus_exit", "leave_city"]
RiskLevel = Literal["medium", "high"]
CheckinStatus = Literal["normal", "abnormal"]

ROLES: tuple[str, ...] = get_args(Role)
STATUSES: tuple[str, ...] = get_args(Status)
LEAVE_KINDS: tuple[str, ...] = get_args(LeaveKind)
RISK_LEVELS: tuple[str, ...] = get_args(RiskLevel)
CHECKIN_STATUSES: tuple[str, ...] = get_args(CheckinStatus)

STAFF: Role = "staff"
CHECKIN_ROLES: tuple[Role, ...] = ("student", "staff")
"""R11: roles that report a daily health check-in."""
CONTRACTOR_ROLES: tuple[Role, ...] = ("contractor", "courier_fixed")
"""R12: on-campus workers who must be registered and checked in."""


@dataclass(frozen=True)
class Person:
    person_no: str
    role: Role
    name_masked: str
    id_hmac: str | None
    id_masked: str | None
    unit: str = ""
    active: bool = True


@dataclass(frozen=True)
class VisitApproval:
    approval_no: str
    name_masked: str
    id_hmac: str
    origin_region: str
    host_unit: str
    host_person_no: str
    visit_date: dt.date
    gates: tuple[str, ...]  # empty: every gate
    filed_at: dt.datetime
    status: Status
    id_masked: str | None = None
    plate: str | None = None
    """The visitor's vehicle (normalised plate, ``kiosk.core.plates``); None: on foot."""


@dataclass(frozen=True)
class Vehicle:
    """A vehicle on the campus vehicle list (R16): staff cars, shuttles, supply vans."""

    plate: str  # normalised (kiosk.core.plates)
    unit: str
    person_no: str | None = None  # the member it belongs to, if any
    until: dt.date | None = None  # last day on the list; None: open-ended
    active: bool = True


@dataclass(frozen=True)
class StayApproval:
    person_no: str
    start: dt.date
    until: dt.date
    status: Status


@dataclass(frozen=True)
class LeaveApproval:
    leave_id: str
    person_no: str
    kind: LeaveKind
    start: dt.datetime
    until: dt.datetime
    destination_region: str
    status: Status
    returned_at: dt.datetime | None = None


@dataclass(frozen=True)
class Quarantine:
    id_hmac: str | None
    person_no: str | None
    start: dt.datetime
    until: dt.datetime | None  # None: not yet released


@dataclass(frozen=True)
class RiskArea:
    region_code: str
    level: RiskLevel
    start: dt.datetime
    until: dt.datetime | None  # None: open-ended


@dataclass(frozen=True)
class Checkin:
    person_no: str
    date: dt.date
    status: CheckinStatus


@dataclass(frozen=True)
class Revocation:
    """A revoked credential of one person (``kind`` e.g. ``campus_pass``)."""

    kind: str
    person_no: str


@dataclass(frozen=True)
class TrustKey:
    """A public key the kiosk accepts signatures from (distributed with the trust list)."""

    kid: bytes  # first 8 bytes of SHA-256 of the public key
    alg: Literal["EdDSA", "ES256"]
    public_key: bytes  # SubjectPublicKeyInfo, DER
    issuer: str
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    prefixes: tuple[str, ...] = ()  # credential prefixes it may sign; empty: any


@dataclass
class RegistrySnapshot:
    """A complete registry as delivered by a full sync, an import with ``--replace`` or a test."""

    version: str
    synced_at: dt.datetime
    people: list[Person] = field(default_factory=list)
    visit_approvals: list[VisitApproval] = field(default_factory=list)
    stay_approvals: list[StayApproval] = field(default_factory=list)
    leave_approvals: list[LeaveApproval] = field(default_factory=list)
    quarantines: list[Quarantine] = field(default_factory=list)
    risk_areas: list[RiskArea] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)
    revocations: list[Revocation] = field(default_factory=list)
    trust_keys: list[TrustKey] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)


class RegistryView(Protocol):
    """Read-only queries the policy engine makes; every method is a point lookup."""

    def snapshot(self) -> AbstractContextManager[Any]:
        """A block in which every lookup sees the same registry state (one decision)."""
        ...

    @property
    def version(self) -> str: ...

    @property
    def data_as_of(self) -> DatasetTimes:
        """How current the copy of each dataset is (R15)."""
        ...

    def person(self, person_no: str) -> Person | None: ...

    def person_by_id(self, id_hmac: str) -> Person | None: ...

    def visit_approval(self, approval_no: str) -> VisitApproval | None: ...

    def visit_approvals_for(self, id_hmac: str) -> list[VisitApproval]: ...

    def visit_approvals_for_plate(self, plate: str) -> list[VisitApproval]: ...

    def vehicle(self, plate: str) -> Vehicle | None: ...

    def stay_approvals(self, person_no: str) -> list[StayApproval]: ...

    def leave_approvals(self, person_no: str) -> list[LeaveApproval]: ...

    def quarantines(self, id_hmac: str | None, person_no: str | None) -> list[Quarantine]: ...

    def risk_areas(self, region_codes: list[str]) -> list[RiskArea]: ...

    def checkin(self, person_no: str, date: dt.date) -> Checkin | None: ...

    def is_revoked(self, kind: str, person_no: str) -> bool: ...
