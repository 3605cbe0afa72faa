"""Admin endpoints (admin token): gates, registry records, CSV import, visits, keys, logs."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from central import admin, logs, workflow
from central.api.auth import Admin, CentralDep
from central.context import CentralError
from central.verify import Color, ReferenceBackend
from kiosk.errors import UserError

router = APIRouter(prefix="/api/v1/admin")
MAX_RECORDS = 10_000


class GateName(BaseModel):
    name: str = Field(min_length=1, max_length=32)


class NewGate(BaseModel):
    gate: str
    token: str
    campus_key: str
    campus_key_fingerprint: str


class Token(BaseModel):
    token: str


class Records(BaseModel):
    records: list[dict[str, Any]] = Field(max_length=MAX_RECORDS)


class Keys(BaseModel):
    keys: list[dict[str, Any]] = Field(max_length=MAX_RECORDS)


class Count(BaseModel):
    count: int


class Filing(BaseModel):
    name: str
    id_number: str
    origin_region: str
    host_unit: str
    host_person_no: str
    visit_date: dt.date
    gates: list[str] = []
    approval_no: str | None = None


class Refusal(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class Rotation(BaseModel):
    grace_days: int = Field(default=30, ge=0, le=366)


class HealthCode(BaseModel):
    code: str = Field(min_length=1, max_length=4096)
    color: Color


class Slip(BaseModel):
    approval_no: str
    slip: str


@router.post("/gates", response_model=NewGate)
def add_gate(body: GateName, who: Admin, central: CentralDep) -> dict[str, Any]:
    """Enrol a gate: its token (shown once) and the campus key."""
    token = admin.add_gate(central, body.name, who)
    return {"gate": body.name, "token": token, **admin.campus_key_info(central)}


@router.get("/gates")
def gates(who: Admin, central: CentralDep) -> list[dict[str, Any]]:
    """Every gate's last contact, backlog, registry version and chain status."""
    return admin.gate_statuses(central)


@router.post("/gates/{name}/token", response_model=Token)
def new_gate_token(name: str, who: Admin, central: CentralDep) -> dict[str, str]:
    """A new token for the gate; the old one stops working."""
    return {"token": admin.new_gate_token(central, name, who)}


@router.delete("/gates/{name}/token", status_code=204)
def revoke_gate(name: str, who: Admin, central: CentralDep) -> Response:
    """Revoke the gate's token."""
    admin.revoke_gate(central, name, who)
    return Response(status_code=204)


@router.get("/gates/{name}/verify")
def verify_gate(name: str, who: Admin, central: CentralDep) -> dict[str, Any]:
    """Check the server's copy of the gate's hash chain."""
    return logs.verify_gate(central, name)


@router.get("/records/{kind}")
def list_records(kind: str, who: Admin, central: CentralDep) -> list[dict[str, Any]]:
    """Every record of a registry kind, in feed form."""
    return admin.list_records(central, kind)


@router.post("/records/{kind}", response_model=Count)
def put_records(kind: str, body: Records, who: Admin, central: CentralDep) -> dict[str, int]:
    """Add or replace records (stay and leave approvals, risk areas, quarantines, revocations,
    check-ins, people…); rows as the kind's schema takes them, raw ID numbers allowed."""
    return {"count": admin.put_records(central, kind, body.records, who)}


@router.post("/records/{kind}/delete", response_model=Count)
def delete_records(kind: str, body: Keys, who: Admin, central: CentralDep) -> dict[str, int]:
    """Delete records by natural key."""
    return {"count": admin.delete_records(central, kind, body.keys, who)}


@router.post("/import/{csv_kind}", response_model=Count)
async def import_csv(csv_kind: str, request: Request, who: Admin, central: CentralDep) -> Any:
    """Import a registry CSV file sent as the body (``text/csv``, columns of registry-csv.md)."""
    data = await request.body()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{csv_kind}.csv"
        path.write_bytes(data)
        try:
            n = await run_in_threadpool(admin.import_csv, central, csv_kind, path, who)
        except UserError as exc:  # name the upload, not the temporary file
            raise CentralError(str(exc).replace(str(path), f"uploaded {csv_kind}.csv")) from None
    return {"count": n}


@router.post("/visits")
def file_visit(body: Filing, who: Admin, central: CentralDep) -> dict[str, Any]:
    """File a visit; the server records the filing time."""
    form = body.model_dump(exclude_none=True)
    form["visit_date"] = body.visit_date.isoformat()
    filed = workflow.file_visit(central, form, who)
    return workflow.filing(central, filed["approval_no"], personal=True)


@router.get("/visits")
def list_visits(
    who: Admin, central: CentralDep, status: workflow.FilingStatus | None = None
) -> list[dict[str, Any]]:
    """Filings, newest first (masked forms)."""
    return workflow.filings(central, status)


@router.get("/visits/{approval_no}")
def visit(approval_no: str, who: Admin, central: CentralDep) -> dict[str, Any]:
    """One filing with the visitor's full name and ID number, for the approvers."""
    return workflow.filing(central, approval_no, personal=True)


@router.post("/visits/{approval_no}/host-approval")
def host_approval(approval_no: str, who: Admin, central: CentralDep) -> dict[str, Any]:
    """The host unit approves (first step)."""
    return workflow.approve_by_host(central, approval_no, who)


@router.post("/visits/{approval_no}/office-approval")
def office_approval(approval_no: str, who: Admin, central: CentralDep) -> dict[str, Any]:
    """The epidemic-control office approves (second step): the visit reaches the gates."""
    return workflow.approve_by_office(central, approval_no, who)


@router.post("/visits/{approval_no}/refusal")
def refusal(approval_no: str, body: Refusal, who: Admin, central: CentralDep) -> dict[str, Any]:
    """Refuse the filing, or withdraw an approved visit."""
    return workflow.refuse(central, approval_no, who, body.reason)


@router.get("/visits/{approval_no}/slip", response_model=Slip)
def slip(approval_no: str, who: Admin, central: CentralDep) -> dict[str, str]:
    """The signed VA1 slip of an approved visit."""
    return {"approval_no": approval_no, "slip": workflow.visit_slip(central, approval_no)}


@router.post("/keys/rotate")
def rotate(body: Rotation, who: Admin, central: CentralDep) -> dict[str, str]:
    """Sign with a new issuer key; the old one verifies ``grace_days`` more."""
    return {"kid": admin.rotate_issuer_key(central, who, body.grace_days)}


@router.delete("/keys/{kid}", status_code=204)
def revoke_key(kid: str, who: Admin, central: CentralDep) -> Response:
    """Remove a key from the trust list."""
    admin.revoke_key(central, kid, who)
    return Response(status_code=204)


@router.post("/health-codes", status_code=204)
def add_health_code(body: HealthCode, who: Admin, request: Request) -> Response:
    """Teach the reference verification backend a code's colour."""
    central = request.app.state.central
    ReferenceBackend(central.engine).register(body.code, body.color, central.now())
    return Response(status_code=204)


def _query(
    gate: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    person_no: str | None,
    outcome: str | None,
    kind: str | None,
    limit: int,
) -> logs.LogQuery:
    return logs.LogQuery(gate, start, end, person_no, outcome, kind, limit)


Limit = Annotated[int, Query(ge=1, le=logs.MAX_ROWS)]


@router.get("/log")
def log_query(
    who: Admin,
    central: CentralDep,
    gate: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    person_no: str | None = None,
    outcome: str | None = None,
    kind: str | None = None,
    limit: Limit = 1000,
) -> list[dict[str, Any]]:
    """Log records of every gate (or one), oldest first; the read is audited."""
    q = _query(gate, start, end, person_no, outcome, kind, limit)
    return [r.as_dict() for r in logs.query(central, q, who)]


@router.get("/log.csv", response_class=Response)
def log_export(
    who: Admin,
    central: CentralDep,
    gate: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    person_no: str | None = None,
    outcome: str | None = None,
    kind: str | None = None,
    limit: Limit = logs.MAX_ROWS,
) -> Response:
    """The same records as spreadsheet-safe CSV; the export is audited."""
    out = io.StringIO()
    logs.export_csv(central, _query(gate, start, end, person_no, outcome, kind, limit), out, who)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


@router.get("/audit")
def audit(who: Admin, central: CentralDep, limit: Limit = 100) -> list[dict[str, Any]]:
    """The newest admin actions, log reads and exports."""
    return admin.audit_trail(central, limit)
