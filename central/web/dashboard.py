"""The admin dashboard: every gate's state, the day's charts, the cross-gate log search,
record detail and the spreadsheet-safe CSV export. Every read and export is audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from central import admin
from central.context import Central, CentralError
from central.web import charts, search
from central.web.approvals import current, login_redirect
from central.web.render import HEADERS, error_page, page
from central.web.staff import Session
from kiosk.core.reasons import message
from kiosk.store.db import write_connection
from kiosk.store.export import write_csv


def router(central: Central) -> APIRouter:
    """The admin pages of ``central``."""
    r = APIRouter()

    def admin_session(request: Request) -> Session | Response:
        session = current(central, request)
        if session is None:
            return login_redirect()
        if session.staff.role != "admin":
            return error_page(request, 403, "the dashboard is for admins")
        return session

    @r.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request, day: str = "") -> Response:
        session = admin_session(request)
        if isinstance(session, Response):
            return session
        today = central.now().astimezone(central.tz).date()
        try:
            chosen = dt.date.fromisoformat(day) if day else today
        except ValueError:
            return error_page(request, 422, "day: expected a date YYYY-MM-DD")
        counts = charts.day_counts(central, chosen, session.staff.username)
        gates = admin.gate_statuses(central)
        with write_connection(central.engine) as conn, conn.begin():
            central.audit(conn, session.staff.username, "web_gates_read", gates=len(gates))
        hourly = {
            g: charts.hourly_svg(c, f"{g} {chosen}")
            for g, c in sorted(counts.per_gate_hour.items())
        }
        return page(
            request,
            "admin_dashboard.html",
            session=session,
            gates=gates,
            day=chosen,
            counts=counts,
            hourly=hourly,
            reasons_svg=charts.bars_svg(counts.reasons, "reject reasons"),
            overrides_svg=charts.bars_svg(counts.overrides, "overrides", "#6a1b9a"),
            fevers_svg=charts.bars_svg(counts.fevers, "fevers", "#ef6c00"),
        )

    @r.get("/admin/log", response_class=HTMLResponse, include_in_schema=False)
    def log(request: Request) -> Response:
        session = admin_session(request)
        if isinstance(session, Response):
            return session
        try:
            f = search.LogFilter.model_validate(dict(request.query_params))
            result = search.search(central, f, session.staff.username)
        except ValidationError as exc:
            return _bad_filter(request, session, exc)
        except CentralError as exc:
            return error_page(request, exc.status, str(exc))
        query = f.as_query()
        next_link = (
            f"/admin/log?{urlencode({**query, 'after': result.next_after})}"
            if result.next_after
            else None
        )
        return page(
            request,
            "admin_log.html",
            session=session,
            f=f,
            rows=result.rows,
            next_link=next_link,
            export_link=f"/admin/log.csv?{urlencode(query)}",
            reasons=search.REASONS,
            roles=search.ROLES,
            errors={},
            message=message,
            tz=central.tz,
        )

    @r.get("/admin/log.csv", include_in_schema=False)
    def export(request: Request) -> Response:
        session = admin_session(request)
        if isinstance(session, Response):
            return session
        try:
            f = search.LogFilter.model_validate(dict(request.query_params))
            records = list(search.matching(central, f))
        except ValidationError as exc:
            return _bad_filter(request, session, exc)
        except CentralError as exc:
            return error_page(request, exc.status, str(exc))
        out = io.StringIO()
        n = write_csv(records, out)
        with write_connection(central.engine) as conn, conn.begin():
            central.audit(conn, session.staff.username, "web_log_export", rows=n, **f.as_query())
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={**HEADERS, "Content-Disposition": 'attachment; filename="gate-log.csv"'},
        )

    @r.get("/admin/log/{row_id}", response_class=HTMLResponse, include_in_schema=False)
    def detail(request: Request, row_id: int) -> Response:
        session = admin_session(request)
        if isinstance(session, Response):
            return session
        try:
            record = search.record(central, row_id, session.staff.username)
        except CentralError as exc:
            return error_page(request, exc.status, str(exc))
        return page(
            request,
            "admin_record.html",
            session=session,
            record=record,
            payload=json.dumps(dict(record.payload), ensure_ascii=False, indent=2),
            message=message,
            tz=central.tz,
        )

    return r


def _bad_filter(request: Request, session: Session, exc: ValidationError) -> Response:
    errors = {str(e["loc"][0]): str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()}
    return page(
        request,
        "admin_log.html",
        status_code=422,
        session=session,
        f=None,
        rows=[],
        next_link=None,
        export_link=None,
        reasons=search.REASONS,
        roles=search.ROLES,
        errors=errors,
        message=message,
        tz=None,
    )
