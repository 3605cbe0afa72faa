"""Turn a scenario's ``registry`` object into registry records (ID numbers only as HMACs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.identity import id_hmac, mask_id, mask_name
from kiosk.core.registry import (
    CHECKIN_STATUSES,
    LEAVE_KINDS,
    RISK_LEVELS,
    ROLES,
    STATUSES,
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    RegistrySnapshot,
    Revocation,
    RiskArea,
    StayApproval,
    VisitApproval,
)
from kiosk.scenarios.spec import (
    ScenarioError,
    parse_date,
    parse_end,
    parse_instant,
    parse_start,
)
from kiosk.store.db import migrate, open_engine
from kiosk.store.registry import RegistryWriter, SqlRegistry


def build_records(
    reg: dict[str, Any], now: dt.datetime, tz: ZoneInfo, key: bytes, source: str
) -> RegistrySnapshot:
    """Parse every table of a scenario registry, naming the row of any bad value."""
    out = RegistrySnapshot(version="scenario", synced_at=now)
    for i, row in enumerate(reg.get("people", [])):
        w = f"{source}: registry.people[{i}]"
        role = _choice(row, "role", ROLES, w)
        ident = row.get("id_number")
        out.people.append(
            Person(
                person_no=_str(row, "person_no", w),
                role=role,  # type: ignore[arg-type]
                name_masked=mask_name(str(row.get("name", ""))),
                id_hmac=id_hmac(key, ident) if ident else None,
                id_masked=mask_id(ident) if ident else None,
                unit=str(row.get("unit", "")),
                active=bool(row.get("active", True)),
            )
        )
    for i, row in enumerate(reg.get("visit_approvals", [])):
        w = f"{source}: registry.visit_approvals[{i}]"
        gates = row.get("gates", [])
        if not isinstance(gates, list):
            raise ScenarioError(f"{w}.gates: expected an array")
        out.visit_approvals.append(
            VisitApproval(
                approval_no=_str(row, "approval_no", w),
                name_masked=mask_name(str(row.get("name", ""))),
                id_hmac=id_hmac(key, _str(row, "id_number", w)),
                origin_region=str(row.get("origin_region", "")),
                host_unit=str(row.get("host_unit", "")),
                host_person_no=str(row.get("host_person_no", "")),
                visit_date=parse_date(_req(row, "visit_date", w), now, tz, w + ".visit_date"),
                gates=tuple(str(g) for g in gates),
                filed_at=parse_start(_req(row, "filed_at", w), now, tz, w + ".filed_at"),
                status=_choice(row, "status", STATUSES, w, "approved"),  # type: ignore[arg-type]
            )
        )
    for i, row in enumerate(reg.get("stay_approvals", [])):
        w = f"{source}: registry.stay_approvals[{i}]"
        out.stay_approvals.append(
            StayApproval(
                person_no=_str(row, "person_no", w),
                start=parse_date(_req(row, "from", w), now, tz, w + ".from"),
                until=parse_date(_req(row, "until", w), now, tz, w + ".until"),
                status=_choice(row, "status", STATUSES, w, "approved"),  # type: ignore[arg-type]
            )
        )
    for i, row in enumerate(reg.get("leave_approvals", [])):
        w = f"{source}: registry.leave_approvals[{i}]"
        until = parse_end(_req(row, "until", w), now, tz, w + ".until")
        if until is None:
            raise ScenarioError(f"{w}.until: a leave needs an end")
        returned = row.get("returned_at")
        out.leave_approvals.append(
            LeaveApproval(
                leave_id=str(row.get("leave_id", f"L{i + 1}")),
                person_no=_str(row, "person_no", w),
                kind=_choice(row, "kind", LEAVE_KINDS, w),  # type: ignore[arg-type]
                start=parse_start(_req(row, "from", w), now, tz, w + ".from"),
                until=until,
                destination_region=str(row.get("destination_region", "")),
                status=_choice(row, "status", STATUSES, w, "approved"),  # type: ignore[arg-type]
                returned_at=None
                if returned is None
                else parse_instant(returned, now, w + ".returned_at"),
            )
        )
    for i, row in enumerate(reg.get("quarantine", [])):
        w = f"{source}: registry.quarantine[{i}]"
        ident, person_no = row.get("id_number"), row.get("person_no")
        if not ident and not person_no:
            raise ScenarioError(f"{w}: expected id_number or person_no")
        out.quarantines.append(
            Quarantine(
                id_hmac=id_hmac(key, str(ident)) if ident else None,
                person_no=str(person_no) if person_no else None,
                start=parse_start(_req(row, "from", w), now, tz, w + ".from"),
                until=parse_end(row.get("until"), now, tz, w + ".until"),
            )
        )
    for i, row in enumerate(reg.get("risk_areas", [])):
        w = f"{source}: registry.risk_areas[{i}]"
        out.risk_areas.append(
            RiskArea(
                region_code=_str(row, "region_code", w),
                level=_choice(row, "level", RISK_LEVELS, w),  # type: ignore[arg-type]
                start=parse_start(row.get("from", "-3650d"), now, tz, w + ".from"),
                until=parse_end(row.get("until"), now, tz, w + ".until"),
            )
        )
    for i, row in enumerate(reg.get("checkins", [])):
        w = f"{source}: registry.checkins[{i}]"
        out.checkins.append(
            Checkin(
                person_no=_str(row, "person_no", w),
                date=parse_date(_req(row, "date", w), now, tz, w + ".date"),
                status=_choice(row, "status", CHECKIN_STATUSES, w, "normal"),  # type: ignore[arg-type]
            )
        )
    for i, row in enumerate(reg.get("revoked", [])):
        w = f"{source}: registry.revoked[{i}]"
        out.revocations.append(
            Revocation(str(row.get("kind", "campus_pass")), _str(row, "person_no", w))
        )
    return out


@contextmanager
def sql_registry(snapshot: RegistrySnapshot, url: str) -> Iterator[SqlRegistry]:
    """The snapshot written into a freshly migrated database at ``url``, closed on exit."""
    engine = open_engine(url)
    try:
        migrate(engine)
        RegistryWriter(engine).replace(snapshot)
        registry = SqlRegistry(engine)
        try:
            yield registry
        finally:
            registry.close()
    finally:
        engine.dispose()


def _req(row: dict[str, Any], key: str, where: str) -> Any:
    if key not in row:
        raise ScenarioError(f"{where}: missing key '{key}'")
    return row[key]


def _str(row: dict[str, Any], key: str, where: str) -> str:
    value = _req(row, key, where)
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{where}.{key}: expected a non-empty string")
    return value


def _choice(
    row: dict[str, Any],
    key: str,
    allowed: tuple[str, ...],
    where: str,
    default: str | None = None,
) -> str:
    value = row.get(key, default)
    if value not in allowed:
        raise ScenarioError(f"{where}.{key}: expected one of {list(allowed)}, got {value!r}")
    return str(value)
