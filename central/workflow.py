"""The visit filing and approval workflow (transport-free: the API, CLI and web pages call it).

A visit is filed with the visitor's full name and ID number; the server records the filing
time itself. The host unit approves first, then the epidemic-control office; only that second
approval puts the visit in the registry feed (``visit_approvals``, ``status: approved``: the
HMAC and masked forms, never the name or number) and signs the ``VA1`` slip with the campus
issuer key. Refusing or withdrawing an approved visit sends it again as ``rejected`` or
``cancelled``. Full names and ID numbers are erased ``retention_days`` after the visit day.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import Connection, insert, select, update

from central import registry
from central.context import Central, CentralError, Conflict, NotFound
from central.models import VisitFilingRow, table
from central.web.models import FilingExtraRow
from kiosk.core.credentials import issue_visit_slip
from kiosk.core.identifiers import school_approval_no
from kiosk.core.registry import VisitApproval
from kiosk.store.db import read_connection, write_connection
from kiosk.store.schemas import RecordError, to_record

FILINGS = table(VisitFilingRow)
EXTRAS = table(FilingExtraRow)
FilingStatus = Literal["filed", "host_approved", "approved", "refused", "withdrawn"]
FILING_FIELDS = (
    "name",
    "id_number",
    "origin_region",
    "host_unit",
    "host_person_no",
    "visit_date",
    "gates",
    "plate",
)


def _new_approval_no(visit_date: dt.date) -> str:
    return school_approval_no(visit_date, secrets.token_hex(3).upper())


def file_visit(central: Central, form: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """File a visit (``name``, ``id_number``, ``origin_region``, ``host_unit``,
    ``host_person_no``, ``visit_date``, optional ``gates`` and ``approval_no``), checked by the
    registry's own visit schema; the filing time is the server's clock."""
    unknown = sorted(set(form) - {*FILING_FIELDS, "approval_no"})
    if unknown:
        raise CentralError(f"{unknown[0]}: unknown field")
    now = central.now()
    row = {k: form[k] for k in FILING_FIELDS if k in form}
    try:
        visit_date = dt.date.fromisoformat(str(form.get("visit_date", "")))
    except ValueError:
        raise CentralError(
            f"visit_date: expected a date YYYY-MM-DD, got {form.get('visit_date')!r}"
        ) from None
    approval_no = str(form.get("approval_no") or _new_approval_no(visit_date))
    row.update(approval_no=approval_no, filed_at=now, status="pending")
    try:
        record: VisitApproval = to_record(
            "visit_approvals", row, tz=central.tz, key=central.keys.campus_key()
        )
    except RecordError as exc:
        raise CentralError(str(exc)) from None
    with write_connection(central.engine) as conn, conn.begin():
        taken = select(FILINGS.c.id).where(FILINGS.c.approval_no == record.approval_no)
        if conn.scalar(taken) is not None:
            raise Conflict(f"approval number {record.approval_no} is taken")
        conn.execute(
            insert(FILINGS).values(
                approval_no=record.approval_no,
                visitor_name=str(form["name"]).strip(),
                id_number=str(form["id_number"]).strip().upper(),
                id_hmac=record.id_hmac,
                id_masked=record.id_masked or "",
                name_masked=record.name_masked,
                origin_region=record.origin_region,
                host_unit=record.host_unit,
                host_person_no=record.host_person_no,
                visit_date=record.visit_date,
                gates=" ".join(record.gates),
                plate=record.plate,
                filed_at=now,
                filed_by=actor,
                status="filed",
            )
        )
        central.audit(conn, actor, "visit_file", approval_no=record.approval_no)
    return filing(central, record.approval_no)


def _load(conn: Connection, approval_no: str) -> Any:
    row = conn.execute(select(FILINGS).where(FILINGS.c.approval_no == approval_no)).one_or_none()
    if row is None:
        raise NotFound(f"no filed visit {approval_no!r}")
    return row


def _approval(row: Any, status: str) -> VisitApproval:
    return VisitApproval(
        approval_no=row.approval_no,
        name_masked=row.name_masked,
        id_hmac=row.id_hmac,
        origin_region=row.origin_region,
        host_unit=row.host_unit,
        host_person_no=row.host_person_no,
        visit_date=row.visit_date,
        gates=tuple(row.gates.split()),
        filed_at=row.filed_at,
        status=status,  # type: ignore[arg-type]
        id_masked=row.id_masked,
        plate=row.plate,
    )


def approve_by_host(central: Central, approval_no: str, actor: str) -> dict[str, Any]:
    """The host unit's approval (first step)."""
    with write_connection(central.engine) as conn, conn.begin():
        row = _load(conn, approval_no)
        if row.status != "filed":
            raise Conflict(f"visit {approval_no} is {row.status}, not waiting for the host unit")
        conn.execute(
            update(FILINGS)
            .where(FILINGS.c.id == row.id)
            .values(status="host_approved", host_approved_by=actor, host_approved_at=central.now())
        )
        central.audit(conn, actor, "visit_host_approve", approval_no=approval_no)
    return filing(central, approval_no)


def approve_by_office(central: Central, approval_no: str, actor: str) -> dict[str, Any]:
    """The epidemic-control office's approval (second step): the visit reaches the gates'
    feed and its ``VA1`` slip is signed; the answer carries the slip text as ``slip``."""
    with write_connection(central.engine) as conn, conn.begin():
        row = _load(conn, approval_no)
        if row.status != "host_approved":
            raise Conflict(
                f"visit {approval_no} is {row.status}; the host unit approves first"
                if row.status == "filed"
                else f"visit {approval_no} is {row.status}"
            )
        if row.host_approved_by == actor:
            raise Conflict("the same person cannot approve for the host unit and the office")
        now = central.now()
        conn.execute(
            update(FILINGS)
            .where(FILINGS.c.id == row.id)
            .values(status="approved", office_approved_by=actor, office_approved_at=now)
        )
        registry.write(conn, now, upsert={"visit_approvals": [_approval(row, "approved")]})
        central.audit(conn, actor, "visit_office_approve", approval_no=approval_no)
    result = filing(central, approval_no)
    result["slip"] = visit_slip(central, approval_no)
    return result


def refuse(central: Central, approval_no: str, actor: str, reason: str) -> dict[str, Any]:
    """Refuse a filing at either step, or withdraw an approved visit from the gates."""
    reason = " ".join(reason.split())
    if not reason or len(reason) > 500:
        raise CentralError("reason: expected 1–500 characters")
    with write_connection(central.engine) as conn, conn.begin():
        row = _load(conn, approval_no)
        if row.status in ("refused", "withdrawn"):
            raise Conflict(f"visit {approval_no} is already {row.status}")
        status = "withdrawn" if row.status == "approved" else "refused"
        conn.execute(
            update(FILINGS)
            .where(FILINGS.c.id == row.id)
            .values(status=status, refused_reason=reason)
        )
        if status == "withdrawn":
            gone = _approval(row, "cancelled")
            registry.write(conn, central.now(), upsert={"visit_approvals": [gone]})
        central.audit(conn, actor, f"visit_{status}", approval_no=approval_no, reason=reason)
    return filing(central, approval_no)


def visit_slip(central: Central, approval_no: str) -> str:
    """The signed ``VA1`` slip of an approved visit, valid to the end of the visit day."""
    with read_connection(central.engine) as conn:
        row = _load(conn, approval_no)
    if row.status != "approved":
        raise Conflict(f"visit {approval_no} is {row.status}, not approved")
    end = dt.datetime.combine(row.visit_date + dt.timedelta(days=1), dt.time(), central.tz)
    return issue_visit_slip(
        central.keys.signing_key(), approval_no=approval_no, iat=central.now(), exp=end
    )


def _public(row: Any, *, personal: bool) -> dict[str, Any]:
    out = {
        "approval_no": row.approval_no,
        "status": row.status,
        "name_masked": row.name_masked,
        "id_masked": row.id_masked,
        "origin_region": row.origin_region,
        "host_unit": row.host_unit,
        "host_person_no": row.host_person_no,
        "visit_date": row.visit_date.isoformat(),
        "gates": row.gates.split(),
        "plate": row.plate,
        "filed_at": row.filed_at.isoformat(),
        "filed_by": row.filed_by,
        "host_approved_by": row.host_approved_by,
        "host_approved_at": row.host_approved_at and row.host_approved_at.isoformat(),
        "office_approved_by": row.office_approved_by,
        "office_approved_at": row.office_approved_at and row.office_approved_at.isoformat(),
        "refused_reason": row.refused_reason,
    }
    if personal:
        out.update(name=row.visitor_name, id_number=row.id_number)
    return out


def filing(central: Central, approval_no: str, *, personal: bool = False) -> dict[str, Any]:
    """One filing (``personal``: with the full name and ID number, for the approvers)."""
    with read_connection(central.engine) as conn:
        return _public(_load(conn, approval_no), personal=personal)


def filings(central: Central, status: FilingStatus | None = None) -> list[dict[str, Any]]:
    """Filings, newest first, optionally only those in one status (masked forms only)."""
    stmt = select(FILINGS).order_by(FILINGS.c.filed_at.desc())
    if status is not None:
        stmt = stmt.where(FILINGS.c.status == status)
    with read_connection(central.engine) as conn:
        return [_public(r, personal=False) for r in conn.execute(stmt)]


def erase_personal_data(central: Central, retention_days: int = 30) -> int:
    """Erase full names and ID numbers of visits more than ``retention_days`` past their day,
    and the phone numbers the web form added (the HMAC and masked forms stay); returns how many
    filings were erased."""
    cutoff = central.now().astimezone(central.tz).date() - dt.timedelta(days=retention_days)
    with write_connection(central.engine) as conn, conn.begin():
        result = conn.execute(
            update(FILINGS)
            .where(FILINGS.c.visit_date < cutoff, FILINGS.c.visitor_name.is_not(None))
            .values(visitor_name=None, id_number=None)
        )
        n = int(result.rowcount or 0)
        past = select(FILINGS.c.approval_no).where(FILINGS.c.visit_date < cutoff)
        conn.execute(
            update(EXTRAS)
            .where(EXTRAS.c.approval_no.in_(past), EXTRAS.c.phone.is_not(None))
            .values(phone=None)
        )
        central.audit(conn, "server", "visit_erase", count=n, retention_days=retention_days)
    return n


__all__ = [
    "approve_by_host",
    "approve_by_office",
    "erase_personal_data",
    "file_visit",
    "filing",
    "filings",
    "refuse",
    "visit_slip",
]
