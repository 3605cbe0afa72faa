"""Staff pages: log in and out, the filings waiting for me, approve or refuse with a comment.

The host unit's staff see their unit's filings waiting for the host step; the epidemic-control
office sees those the host approved. Each step calls :mod:`central.workflow`, which records
who and when; a comment goes beside it in ``web_filing_notes``. Full names and ID numbers are
shown only to the staff who approve the filing at its current step, and every such read is
audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import insert, select

from central import workflow
from central.context import Central, CentralError
from central.models import table
from central.web import staff
from central.web.forms import LoginForm, StepForm, field_errors
from central.web.models import FilingNoteRow
from central.web.render import error_page, page
from kiosk.store.db import read_connection, write_connection

SESSION_COOKIE = "sid"
NOTES = table(FilingNoteRow)
STEP_OF_ROLE = {"host": "filed", "office": "host_approved"}


def current(central: Central, request: Request) -> staff.Session | None:
    """The session of the request's cookie (None: not logged in)."""
    return staff.session_of(central, request.cookies.get(SESSION_COOKIE))


def login_redirect() -> Response:
    """Send a browser that is not logged in to the login page."""
    return RedirectResponse("/staff/login", status_code=303)


async def posted(request: Request) -> dict[str, Any]:
    """A posted form's text fields."""
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def router(central: Central) -> APIRouter:
    """The staff pages of ``central``."""
    r = APIRouter()

    @r.get("/staff/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request) -> Response:
        return page(request, "staff_login.html", error=None)

    @r.post("/staff/login", response_class=HTMLResponse, include_in_schema=False)
    async def login(request: Request) -> Response:
        try:
            form = LoginForm.model_validate(await posted(request))
            token, session = staff.log_in(central, form.username, form.password)
        except (ValidationError, staff.LoginFailed):
            return page(request, "staff_login.html", status_code=401, error="login.failed")
        target = "/admin" if session.staff.role == "admin" else "/staff/filings"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=int(staff.SESSION_LIFETIME.total_seconds()),
        )
        return response

    @r.post("/staff/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        session = current(central, request)
        form = await posted(request)
        if session is not None and staff.csrf_ok(session, form.get("csrf", "")):
            staff.log_out(central, request.cookies.get(SESSION_COOKIE, ""))
        response = login_redirect()
        response.delete_cookie(SESSION_COOKIE)
        return response

    @r.get("/staff/filings", response_class=HTMLResponse, include_in_schema=False)
    def waiting(request: Request) -> Response:
        session = current(central, request)
        if session is None:
            return login_redirect()
        step = STEP_OF_ROLE.get(session.staff.role)
        if step is None:
            return error_page(request, 403, "only host-unit and office staff approve visits")
        rows = [f for f in workflow.filings(central, step) if _mine(session, f)]  # type: ignore[arg-type]
        return page(request, "staff_filings.html", session=session, filings=rows)

    @r.get("/staff/filings/{approval_no}", response_class=HTMLResponse, include_in_schema=False)
    def detail(request: Request, approval_no: str) -> Response:
        session = current(central, request)
        if session is None:
            return login_redirect()
        return _detail(request, central, session, approval_no, None)

    @r.post("/staff/filings/{approval_no}", response_class=HTMLResponse, include_in_schema=False)
    async def decide(request: Request, approval_no: str) -> Response:
        session = current(central, request)
        if session is None:
            return login_redirect()
        form = await posted(request)
        if not staff.csrf_ok(session, form.get("csrf", "")):
            return error_page(request, 403, "the form has expired; reload the page")
        try:
            step = StepForm.model_validate(form)
        except ValidationError as exc:
            return _detail(request, central, session, approval_no, field_errors(exc))
        try:
            filing = workflow.filing(central, approval_no)
        except CentralError as exc:
            return error_page(request, exc.status, str(exc))
        if not _may_decide(session, filing):
            return error_page(request, 403, "this filing is not waiting for you")
        actor = session.staff.username
        try:
            if step.action == "approve":
                if session.staff.role == "host":
                    workflow.approve_by_host(central, approval_no, actor)
                else:
                    workflow.approve_by_office(central, approval_no, actor)
            elif step.action == "refuse":
                if not step.comment:
                    return _detail(
                        request, central, session, approval_no, {"comment": "err.required"}
                    )
                workflow.refuse(central, approval_no, actor, step.comment)
            else:
                return _detail(request, central, session, approval_no, {"action": "err.invalid"})
        except CentralError as exc:
            return error_page(request, exc.status, str(exc))
        if step.comment:
            with write_connection(central.engine) as conn, conn.begin():
                conn.execute(
                    insert(NOTES).values(
                        approval_no=approval_no,
                        step=f"{session.staff.role}_{step.action}",
                        actor=actor,
                        at=central.now(),
                        comment=step.comment,
                    )
                )
        return RedirectResponse("/staff/filings", status_code=303)

    return r


def _mine(session: staff.Session, filing: dict[str, Any]) -> bool:
    return session.staff.role == "office" or filing["host_unit"] == session.staff.unit


def _may_decide(session: staff.Session, filing: dict[str, Any]) -> bool:
    step = STEP_OF_ROLE.get(session.staff.role)
    return step is not None and filing["status"] == step and _mine(session, filing)


def _detail(
    request: Request,
    central: Central,
    session: staff.Session,
    approval_no: str,
    errors: dict[str, str] | None,
) -> Response:
    try:
        filing = workflow.filing(central, approval_no)
    except CentralError as exc:
        return error_page(request, exc.status, str(exc))
    decides = _may_decide(session, filing)
    if decides:  # the approver at this step sees the full name and ID number (audited)
        filing = workflow.filing(central, approval_no, personal=True)
        with write_connection(central.engine) as conn, conn.begin():
            central.audit(conn, session.staff.username, "web_filing_read", approval_no=approval_no)
    elif not _mine(session, filing) and session.staff.role != "admin":
        return error_page(request, 403, "this filing belongs to another unit")
    with read_connection(central.engine) as conn:
        notes = conn.execute(
            select(NOTES).where(NOTES.c.approval_no == approval_no).order_by(NOTES.c.id)
        ).all()
    return page(
        request,
        "staff_filing.html",
        status_code=422 if errors else 200,
        session=session,
        filing=filing,
        decides=decides,
        notes=notes,
        errors=errors or {},
    )
