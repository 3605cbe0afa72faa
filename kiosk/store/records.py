"""Conversions between the core registry records and table rows, one pair per kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Table

from kiosk.core.registry import (
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    Revocation,
    RiskArea,
    StayApproval,
    TrustKey,
    VisitApproval,
)
from kiosk.store import models as m

R = TypeVar("R")
Row = Mapping[str, Any]


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """How one kind of registry record is stored: table, natural key, conversions."""

    name: str
    table: Table
    key: tuple[str, ...]
    to_row: Callable[[R], dict[str, Any]]
    from_row: Callable[[Row], R]


def _table(model: type[m.Base]) -> Table:
    return cast(Table, model.__table__)


def table_of(model: type[m.Base]) -> Table:
    """The Core table of an ORM model."""
    return _table(model)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PEOPLE: RecordKind[Person] = RecordKind(
    "people",
    _table(m.PersonRow),
    ("person_no",),
    lambda p: {
        "person_no": p.person_no,
        "role": p.role,
        "name_masked": p.name_masked,
        "id_hmac": p.id_hmac,
        "id_masked": p.id_masked,
        "unit": p.unit,
        "active": p.active,
    },
    lambda r: Person(
        person_no=r["person_no"],
        role=r["role"],
        name_masked=r["name_masked"],
        id_hmac=r["id_hmac"],
        id_masked=r["id_masked"],
        unit=r["unit"],
        active=bool(r["active"]),
    ),
)

VISIT_APPROVALS: RecordKind[VisitApproval] = RecordKind(
    "visit_approvals",
    _table(m.VisitApprovalRow),
    ("approval_no",),
    lambda v: {
        "approval_no": v.approval_no,
        "name_masked": v.name_masked,
        "id_hmac": v.id_hmac,
        "id_masked": v.id_masked,
        "origin_region": v.origin_region,
        "host_unit": v.host_unit,
        "host_person_no": v.host_person_no,
        "visit_date": v.visit_date,
        "gates": " ".join(v.gates),
        "filed_at": v.filed_at,
        "status": v.status,
    },
    lambda r: VisitApproval(
        approval_no=r["approval_no"],
        name_masked=r["name_masked"],
        id_hmac=r["id_hmac"],
        origin_region=r["origin_region"],
        host_unit=r["host_unit"],
        host_person_no=r["host_person_no"],
        visit_date=r["visit_date"],
        gates=_words(r["gates"]),
        filed_at=r["filed_at"],
        status=r["status"],
        id_masked=r["id_masked"],
    ),
)

STAY_APPROVALS: RecordKind[StayApproval] = RecordKind(
    "stay_approvals",
    _table(m.StayApprovalRow),
    ("person_no", "start"),
    lambda s: {"person_no": s.person_no, "start": s.start, "until": s.until, "status": s.status},
    lambda r: StayApproval(
        person_no=r["person_no"], start=r["start"], until=r["until"], status=r["status"]
    ),
)

LEAVE_APPROVALS: RecordKind[LeaveApproval] = RecordKind(
    "leave_approvals",
    _table(m.LeaveApprovalRow),
    ("leave_id",),
    lambda a: {
        "leave_id": a.leave_id,
        "person_no": a.person_no,
        "kind": a.kind,
        "start": a.start,
        "until": a.until,
        "destination_region": a.destination_region,
        "status": a.status,
        "returned_at": a.returned_at,
    },
    lambda r: LeaveApproval(
        leave_id=r["leave_id"],
        person_no=r["person_no"],
        kind=r["kind"],
        start=r["start"],
        until=r["until"],
        destination_region=r["destination_region"],
        status=r["status"],
        returned_at=r["returned_at"],
    ),
)

QUARANTINES: RecordKind[Quarantine] = RecordKind(
    "quarantines",
    _table(m.QuarantineRow),
    ("id_hmac", "person_no", "start"),
    lambda q: {"id_hmac": q.id_hmac, "person_no": q.person_no, "start": q.start, "until": q.until},
    lambda r: Quarantine(
        id_hmac=r["id_hmac"], person_no=r["person_no"], start=r["start"], until=r["until"]
    ),
)

RISK_AREAS: RecordKind[RiskArea] = RecordKind(
    "risk_areas",
    _table(m.RiskAreaRow),
    ("region_code", "start"),
    lambda a: {"region_code": a.region_code, "level": a.level, "start": a.start, "until": a.until},
    lambda r: RiskArea(
        region_code=r["region_code"], level=r["level"], start=r["start"], until=r["until"]
    ),
)

CHECKINS: RecordKind[Checkin] = RecordKind(
    "checkins",
    _table(m.CheckinRow),
    ("person_no", "date"),
    lambda c: {"person_no": c.person_no, "date": c.date, "status": c.status},
    lambda r: Checkin(person_no=r["person_no"], date=r["date"], status=r["status"]),
)

REVOCATIONS: RecordKind[Revocation] = RecordKind(
    "revocations",
    _table(m.RevocationRow),
    ("kind", "person_no"),
    lambda v: {"kind": v.kind, "person_no": v.person_no},
    lambda r: Revocation(kind=r["kind"], person_no=r["person_no"]),
)

TRUST_KEYS: RecordKind[TrustKey] = RecordKind(
    "trust_keys",
    _table(m.TrustKeyRow),
    ("kid",),
    lambda k: {
        "kid": k.kid,
        "alg": k.alg,
        "public_key": k.public_key,
        "issuer": k.issuer,
        "not_before": k.not_before,
        "not_after": k.not_after,
        "prefixes": " ".join(k.prefixes),
    },
    lambda r: TrustKey(
        kid=bytes(r["kid"]),
        alg=r["alg"],
        public_key=bytes(r["public_key"]),
        issuer=r["issuer"],
        not_before=r["not_before"],
        not_after=r["not_after"],
        prefixes=_words(r["prefixes"]),
    ),
)

ALL_KINDS: tuple[RecordKind[Any], ...] = (
    PEOPLE,
    VISIT_APPROVALS,
    STAY_APPROVALS,
    LEAVE_APPROVALS,
    QUARANTINES,
    RISK_AREAS,
    CHECKINS,
    REVOCATIONS,
    TRUST_KEYS,
)
