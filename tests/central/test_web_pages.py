"""The web pages against the real server process: filing, approvals, privacy, staff login
security and the dashboard's search and export."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from central import workflow
from central.context import AUDIT
from central.web.approvals import NOTES
from central.web.staff import MAX_FAILURES
from central.web.visitor import EXTRAS
from kiosk.store.db import read_connection
from tests.central.web_client import (
    ID_VISITOR,
    WebUser,
    add_staff,
    approval_no_of,
    filing_form,
)
from tests.support.central_server import CentralServer
from tests.support.gate_logs import gate_log

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[CentralServer]:
    """A server process on SQLite with a gate and the three staff accounts."""
    server = CentralServer(tmp_path / "central", tz="Asia/Shanghai")
    server.start()
    server.add_gate("north")
    server.add_gate("south")
    add_staff(server.central)
    try:
        yield server
    finally:
        server.close()


def _audit_actions(server: CentralServer) -> list[str]:
    with read_connection(server.central.engine) as conn:
        return [r.action for r in conn.execute(select(AUDIT.c.action).order_by(AUDIT.c.id))]


def test_visit_filed_approved_twice_then_slip_shown(central_server: CentralServer) -> None:
    central_server.add_gate("north")
    add_staff(central_server.central)
    visitor = WebUser(central_server.url)
    filed = visitor.file(filing_form(central_server.central))
    assert filed.status_code == 200 and "/visit/V" in filed.url
    no = approval_no_of(filed.url)
    assert "slip-qr" not in filed.text  # not approved yet
    assert ID_VISITOR not in filed.text and "****3381" in filed.text

    host = WebUser(central_server.url)
    assert host.log_in("host1").url.endswith("/staff/filings")
    detail = host.get(f"/staff/filings/{no}")
    assert ID_VISITOR in detail.text and "赵磊" in detail.text  # the approver sees them
    assert host.decide(no, "approve", "同意来访").url.endswith("/staff/filings")
    office = WebUser(central_server.url)
    office.log_in("office1")
    assert office.decide(no, "approve").status_code == 200

    status = visitor.get(filed.url.removeprefix(central_server.url))
    assert "slip-qr" in status.text and ID_VISITOR not in status.text
    slip = visitor.get(f"/visit/{no}/slip?t={filed.url.split('t=')[1]}")
    assert slip.status_code == 200 and "slip-qr" in slip.text
    record = workflow.filing(central_server.central, no)
    assert record["status"] == "approved" and record["plate"] == "豫A12345"
    assert record["host_approved_by"] == "host1" and record["office_approved_by"] == "office1"
    with read_connection(central_server.central.engine) as conn:
        notes = conn.execute(select(NOTES.c.actor, NOTES.c.comment)).all()
    assert [tuple(n) for n in notes] == [("host1", "同意来访")]


def test_a_filing_for_today_is_refused_with_the_notices_rule(web: CentralServer) -> None:
    today = web.central.now().astimezone(web.central.tz).date().isoformat()
    answer = WebUser(web.url).file(filing_form(web.central, visit_date=today))
    assert answer.status_code == 422
    assert "提前一天报备" in answer.text and 'id="err-visit_date"' in answer.text
    english = WebUser(web.url)
    english.get("/visit?lang=en")
    answer = english.file(filing_form(web.central, visit_date=today))
    assert "requires filing one day ahead" in answer.text
    assert workflow.filings(web.central) == []


def test_a_wrong_check_character_is_refused_and_not_echoed(web: CentralServer) -> None:
    wrong = ID_VISITOR[:-1] + "0"
    answer = WebUser(web.url).file(filing_form(web.central, id_number=wrong))
    assert answer.status_code == 422 and 'id="err-id_number"' in answer.text
    assert "校验位不符" in answer.text
    assert workflow.filings(web.central) == []


def test_a_form_without_its_csrf_token_files_nothing(web: CentralServer) -> None:
    visitor = WebUser(web.url)
    visitor.get("/visit")
    answer = visitor.post("/visit", {**filing_form(web.central), "csrf": "forged-token-xxxxxxxxxx"})
    assert answer.status_code == 403
    staff = WebUser(web.url)
    staff.log_in("host1")
    answer = staff.post("/staff/filings/V1", {"csrf": "forged", "action": "approve"})
    assert answer.status_code == 403
    assert workflow.filings(web.central) == []


def test_erasing_personal_data_also_erases_the_phone(web: CentralServer) -> None:
    filed = WebUser(web.url).file(filing_form(web.central))
    no = approval_no_of(filed.url)
    with read_connection(web.central.engine) as conn:
        phone = select(EXTRAS.c.phone).where(EXTRAS.c.approval_no == no)
        assert conn.scalar(phone) == "13800138000"
    assert workflow.erase_personal_data(web.central, retention_days=-2) == 1
    with read_connection(web.central.engine) as conn:
        assert conn.scalar(phone) is None
    assert workflow.filing(web.central, no, personal=True)["id_number"] is None


def test_the_status_page_needs_its_secret(web: CentralServer) -> None:
    filed = WebUser(web.url).file(filing_form(web.central))
    no = approval_no_of(filed.url)
    stranger = WebUser(web.url)
    assert stranger.get(f"/visit/{no}").status_code == 404
    assert stranger.get(f"/visit/{no}?t=guess").status_code == 404
    assert stranger.get(f"/visit/{no}/slip?t=guess").status_code == 404


def test_lockout_after_repeated_wrong_passwords(web: CentralServer) -> None:
    user = WebUser(web.url)
    for _ in range(MAX_FAILURES):
        answer = user.post("/staff/login", {"username": "host1", "password": "wrong-password"})
        assert answer.status_code == 401
    locked = user.log_in("host1")  # the right password, but locked now
    assert locked.status_code == 401 and "locked" in locked.text
    assert "login_locked" in _audit_actions(web)
    unknown = user.post("/staff/login", {"username": "nobody", "password": "x"})
    assert unknown.status_code == 401 and unknown.text.count("locked") == locked.text.count(
        "locked"
    )


def test_the_session_cookie_is_httponly_and_strict(web: CentralServer) -> None:
    answer = WebUser(web.url).post(
        "/staff/login", {"username": "host1", "password": "host-password-1"}, allow_redirects=False
    )
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert answer.headers["location"] == "/staff/filings"


def test_steps_in_order_and_only_for_the_right_staff(web: CentralServer) -> None:
    no = approval_no_of(WebUser(web.url).file(filing_form(web.central)).url)
    other = filing_form(web.central, host_unit="物理学院")
    other_no = approval_no_of(WebUser(web.url).file(other).url)
    office = WebUser(web.url)
    office.log_in("office1")
    assert "赵磊" not in office.get(f"/staff/filings/{no}").text  # not the office's step yet
    assert office.decide(no, "approve").status_code == 403
    host = WebUser(web.url)
    host.log_in("host1")
    waiting = host.get("/staff/filings").text
    assert no in waiting and other_no not in waiting  # only the host's own unit
    assert host.get(f"/staff/filings/{other_no}").status_code == 403
    refused = host.decide(no, "refuse")  # a refusal needs its comment
    assert refused.status_code == 422 and workflow.filing(web.central, no)["status"] == "filed"
    host.decide(no, "refuse", "时间冲突")
    assert workflow.filing(web.central, no)["status"] == "refused"
    admin = WebUser(web.url)
    admin.log_in("admin1")
    assert admin.get("/staff/filings").status_code == 403
    assert host.get("/admin").status_code == 403
    assert WebUser(web.url).get("/admin", allow_redirects=False).status_code == 303


def _seed_log(server: CentralServer, n: int) -> None:
    """``n`` decisions of the east gate, sent through the real ingest endpoint."""
    token = server.add_gate("east")
    records = list(gate_log("east", n))
    answer = requests.post(
        server.url + "/api/v1/decisions",
        json={"records": [r.as_dict() for r in records]},
        headers=server.auth(token),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert {i["status"] for i in answer.json()["results"]} == {"accepted"}


def test_dashboard_search_pages_detail_and_export_are_audited(web: CentralServer) -> None:
    _seed_log(web, 60)
    admin = WebUser(web.url)
    admin.log_in("admin1")
    board = admin.get("/admin")
    assert board.status_code == 200 and "east" in board.text and "<svg" in board.text
    day = admin.get("/admin?day=2022-01-20").text  # campus day: 00:00–16:00 UTC of the log
    assert "2022-01-20 · 40 decisions" in day and "FEVER" in day and "CHECKIN_MISSING" in day
    assert "2022-01-21 · 20 decisions" in admin.get("/admin?day=2022-01-21").text
    first = admin.get("/admin/log?gate=east&size=25")
    assert first.status_code == 200
    ids = first.text.count('href="/admin/log/')
    assert ids == 25 and 'id="next"' in first.text
    seen = []
    page = first
    while True:
        seen += [int(x) for x in re.findall(r'href="/admin/log/(\d+)"', page.text)]
        nxt = re.search(r'href="([^"]+)" id="next"', page.text)
        if nxt is None:
            break
        page = admin.get(nxt.group(1).replace("&amp;", "&"))
    assert len(seen) == 60 == len(set(seen))
    detail = admin.get(f"/admin/log/{seen[0]}")
    assert detail.status_code == 200 and "payload" in detail.text
    rejects = admin.get("/admin/log?outcome=reject&reason=FEVER")
    assert rejects.status_code == 200 and "FEVER" in rejects.text
    exported = admin.get("/admin/log.csv?gate=east")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert len(rows) == 61
    hostile = [c for r in rows[1:] for c in r if c.startswith("'=")]
    assert hostile, "the seeded formula was not neutralised"
    actions = _audit_actions(web)
    for action in (
        "web_charts",
        "web_gates_read",
        "web_log_search",
        "web_log_read",
        "web_log_export",
    ):
        assert action in actions
    with read_connection(web.central.engine) as conn:
        detail_rows = conn.execute(
            select(AUDIT.c.detail).where(AUDIT.c.action == "web_log_export")
        ).scalar_one()
    assert json.loads(detail_rows)["rows"] == 60
    bad = admin.get("/admin/log?outcome=<script>")
    assert bad.status_code == 422 and "<script>" not in bad.text
    assert admin.get("/admin/log?after=garbage").status_code == 422


def test_audit_rows_grow_with_every_read(web: CentralServer) -> None:
    admin = WebUser(web.url)
    admin.log_in("admin1")
    with read_connection(web.central.engine) as conn:
        before = conn.scalar(select(func.count()).select_from(AUDIT))
    admin.get("/admin/log")
    with read_connection(web.central.engine) as conn:
        after = conn.scalar(select(func.count()).select_from(AUDIT))
    assert before is not None and after == before + 1
