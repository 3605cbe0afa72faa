"""Visitor pages: file a visit (mobile first), its status page, the printable slip.

The filing goes through :func:`central.workflow.file_visit` (the server's clock is the filing
time). The status page opens only with the secret in its link; it shows masked forms only and,
once both approvals are in, the signed ``VA1`` slip as a QR code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import insert, select

from central import admin, workflow
from central.context import Central, CentralError
from central.models import table
from central.web.forms import FilingForm, field_errors
from central.web.i18n import translator
from central.web.models import FilingExtraRow
from central.web.render import (
    error_page,
    locale_of,
    page,
    set_visitor_csrf,
    visitor_csrf,
    visitor_csrf_ok,
)
from kiosk.store.db import read_connection, write_connection

EXTRAS = table(FilingExtraRow)
MAX_DAYS_AHEAD = 30
MAX_FORM_BYTES = 64 * 1024
VISITOR = "web-visitor"


def router(central: Central) -> APIRouter:
    """The visitor pages of ``central``."""
    r = APIRouter()

    @r.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/visit", status_code=303)

    @r.get("/visit", response_class=HTMLResponse, include_in_schema=False)
    def form(request: Request) -> Response:
        return _form(request, central, {}, {})

    @r.post("/visit", response_class=HTMLResponse, include_in_schema=False)
    async def submit(request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return error_page(request, 413, translator(locale_of(request))("err.too_long"))
        data = await request.form()
        values: dict[str, Any] = {k: v for k, v in data.items() if isinstance(v, str)}
        values["gates"] = [g for g in data.getlist("gates") if isinstance(g, str)]
        if not visitor_csrf_ok(request, values.get("csrf")):
            return _form(request, central, values, {"form": "err.csrf"}, status_code=403)
        today = central.now().astimezone(central.tz).date()
        try:
            filing = FilingForm.model_validate(values)
        except ValidationError as exc:
            return _form(request, central, values, field_errors(exc), status_code=422)
        errors = _date_errors(filing.visit_date, today)
        known = {g["gate"] for g in admin.gate_statuses(central)}
        if any(g not in known for g in filing.gates):
            errors["gates"] = "err.gate"
        if errors:
            return _form(request, central, values, errors, status_code=422)
        secret = secrets.token_urlsafe(24)
        try:
            filed = workflow.file_visit(central, _workflow_form(filing), VISITOR)
        except CentralError:
            return _form(request, central, values, {"form": "err.server"}, status_code=422)
        with write_connection(central.engine) as conn, conn.begin():
            conn.execute(
                insert(EXTRAS).values(
                    approval_no=filed["approval_no"],
                    access_hash=_digest(secret),
                    phone=filing.phone,
                    reason=filing.reason,
                    locale=locale_of(request),
                )
            )
        return RedirectResponse(f"/visit/{filed['approval_no']}?t={secret}", status_code=303)

    @r.get("/visit/{approval_no}", response_class=HTMLResponse, include_in_schema=False)
    def status(request: Request, approval_no: str, t: str = "") -> Response:
        found = _open(central, approval_no, t)
        if found is None:
            return error_page(request, 404, translator(locale_of(request))("visit.not_found"))
        filing, extra = found
        qr = _qr(central, approval_no) if filing["status"] == "approved" else None
        return page(request, "visit_status.html", filing=filing, extra=extra, qr=qr, secret=t)

    @r.get("/visit/{approval_no}/slip", response_class=HTMLResponse, include_in_schema=False)
    def slip(request: Request, approval_no: str, t: str = "") -> Response:
        found = _open(central, approval_no, t)
        if found is None or found[0]["status"] != "approved":
            return error_page(request, 404, translator(locale_of(request))("visit.not_found"))
        return page(request, "visit_slip.html", filing=found[0], qr=_qr(central, approval_no, 8))

    return r


def _form(
    request: Request,
    central: Central,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    token = visitor_csrf(request)
    gates = [g["gate"] for g in admin.gate_statuses(central) if not g["revoked"]]
    tomorrow = central.now().astimezone(central.tz).date() + dt.timedelta(days=1)
    response = page(
        request,
        "visit_form.html",
        status_code=status_code,
        values=values,
        errors=errors,
        csrf=token,
        gates=gates,
        min_date=tomorrow.isoformat(),
    )
    set_visitor_csrf(response, token, request.url.scheme == "https")
    return response


def _date_errors(visit_date: dt.date, today: dt.date) -> dict[str, str]:
    """The notice's rule: filed at least one day ahead (so never for today), 30 days at most."""
    if visit_date == today:
        return {"visit_date": "err.date_today"}
    if visit_date < today:
        return {"visit_date": "err.date_past"}
    if visit_date > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        return {"visit_date": "err.date_far"}
    return {}


def _workflow_form(filing: FilingForm) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": filing.name,
        "id_number": filing.id_number,
        "origin_region": filing.origin_region,
        "host_unit": filing.host_unit,
        "host_person_no": filing.host_person_no,
        "visit_date": filing.visit_date.isoformat(),
        "gates": list(filing.gates),
    }
    if filing.plate is not None:
        form["plate"] = filing.plate
    return form


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _open(
    central: Central, approval_no: str, secret: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The filing and its extras when ``secret`` opens it (None otherwise)."""
    if not secret or len(secret) > 64 or len(approval_no) > 64:
        return None
    with read_connection(central.engine) as conn:
        extra = conn.execute(
            select(EXTRAS).where(EXTRAS.c.approval_no == approval_no)
        ).one_or_none()
    if extra is None or not hmac.compare_digest(extra.access_hash, _digest(secret)):
        return None
    try:
        filing = workflow.filing(central, approval_no)
    except CentralError:
        return None
    return filing, {"reason": extra.reason}


def _qr(central: Central, approval_no: str, scale: int = 6) -> str:
    """The signed slip as a PNG data URI (what the kiosk's camera reads)."""
    slip = workflow.visit_slip(central, approval_no)
    return str(segno.make_qr(slip, error="m").png_data_uri(scale=scale, border=4))
