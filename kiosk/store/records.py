"""Conversions between the core registry records and table rows, one pair per kind."""

from __future__ import annotations

import dataclasses
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
    Vehicle,
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
    record_type: type[R]


def _table(model: type[m.Base]) -> Table:
    return cast(Table, model.__table__)


def table_of(model: type[m.Base]) -> Table:
    """The Core table of an ORM model."""
    return _table(model)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _kind(
    name: str,
    model: type[m.Base],
    key: tuple[str, ...],
    cls: type[R],
    *,
    joined: tuple[str, ...] = (),
    binary: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> RecordKind[R]:
    """A kind whose columns carry the record's field names; ``joined`` tuples are stored as
    space-separated words, ``binary`` and ``flags`` columns are read back as bytes and bool."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def to_row(record: R) -> dict[str, Any]:
        row = {n: getattr(record, n) for n in names}
        for n in joined:
            row[n] = " ".join(row[n])
        return row

    def from_row(row: Row) -> R:
        values = {n: row[n] for n in names}
        for n in joined:
            values[n] = _words(values[n])
        for n in binary:
            values[n] = bytes(values[n])
        for n in flags:
            values[n] = bool(values[n])
        return cls(**values)

    return RecordKind(name, _table(model), key, to_row, from_row, cls)


PEOPLE = _kind("people", m.PersonRow, ("person_no",), Person, flags=("active",))
VISIT_APPROVALS = _kind(
    "visit_approvals", m.VisitApprovalRow, ("approval_no",), VisitApproval, joined=("gates",)
)
STAY_APPROVALS = _kind("stay_approvals", m.StayApprovalRow, ("person_no", "start"), StayApproval)
LEAVE_APPROVALS = _kind("leave_approvals", m.LeaveApprovalRow, ("leave_id",), LeaveApproval)
QUARANTINES = _kind("quarantines", m.QuarantineRow, ("id_hmac", "person_no", "start"), Quarantine)
RISK_AREAS = _kind("risk_areas", m.RiskAreaRow, ("region_code", "start"), RiskArea)
CHECKINS = _kind("checkins", m.CheckinRow, ("person_no", "date"), Checkin)
REVOCATIONS = _kind("revocations", m.RevocationRow, ("kind", "person_no"), Revocation)
TRUST_KEYS = _kind(
    "trust_keys",
    m.TrustKeyRow,
    ("kid",),
    TrustKey,
    joined=("prefixes",),
    binary=("kid", "public_key"),
)
VEHICLES = _kind("vehicles", m.VehicleRow, ("plate",), Vehicle, flags=("active",))

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
    VEHICLES,
)
