"""End to end as people would do it, in headless Chromium against the real server process:
a visitor files from a phone, the host unit and the office approve, the slip's QR code is read
from the page's screenshot by ``kiosk scan``, a gate admits the visitor (and their car) with the
host as escort, and the admin finds that decision in the dashboard.

Set ``WEB_SCREENSHOTS=docs/screenshots`` to keep the screenshots (the README shows them).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from central import admin
from kiosk.core.policy_config import load_policy
from tests.central.browser import PHONE, Browser
from tests.central.web_client import ID_VISITOR, PASSWORDS, add_staff, approval_no_of
from tests.central.web_gate import WebGate, final
from tests.support.central_server import CentralServer

pytestmark = pytest.mark.timeout(600)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "shots"
    folder.mkdir()
    yield folder
    keep = os.environ.get("WEB_SCREENSHOTS")
    if keep:
        target = REPO / keep
        target.mkdir(parents=True, exist_ok=True)
        for png in folder.glob("*.png"):
            shutil.copy(png, target / png.name)


def _log_in(browser: Browser, url: str, username: str) -> None:
    browser.open(url + "/staff/login")
    browser.fill("username", username)
    browser.fill("password", PASSWORDS[username])
    browser.click("login")
    browser.wait_for("logout")


def test_visitor_files_staff_approve_gate_admits_admin_finds_it(
    tmp_path: Path, shots: Path
) -> None:
    server = CentralServer(tmp_path / "central", tz="Asia/Shanghai").start()
    phone = desk = None
    try:
        c = server.central
        token = server.add_gate("north")
        add_staff(c)
        admin.put_records(
            c,
            "people",
            [{"person_no": "T1001", "role": "staff", "name": "李明", "unit": "计算机学院"}],
            "test",
        )
        visit_day = c.now().astimezone(c.tz).date() + dt.timedelta(days=1)

        # 1. the visitor, on a phone: the rule refuses today, then a filing for tomorrow
        phone = Browser(shots, PHONE)
        phone.open(server.url + "/visit")
        phone.shot("visit-form")
        for field, value in {
            "name": "赵磊",
            "id_number": ID_VISITOR,
            "phone": "13800138000",
            "host_unit": "计算机学院",
            "host_person_no": "T1001",
            "reason": "学术交流",
            "plate": "豫A·12345",
        }.items():
            phone.fill(field, value)
        phone.pick("origin_region", "410105")
        phone.driver.execute_script(
            "document.getElementById('visit_date').value = arguments[0]",
            (visit_day - dt.timedelta(days=1)).isoformat(),
        )
        phone.click("submit")
        phone.wait_for("err-visit_date")
        assert "提前一天报备" in phone.text("err-visit_date")
        phone.shot("visit-form-today-refused")
        phone.driver.execute_script(
            "document.getElementById('visit_date').value = arguments[0]", visit_day.isoformat()
        )
        phone.driver.find_element("css selector", "input[name=gates][value=north]").click()
        phone.click("submit")
        phone.wait_for("approval-no")
        status_url = phone.driver.current_url
        no = approval_no_of(status_url)
        assert phone.text("approval-no") == no and "****3381" in phone.text("id-masked")
        assert ID_VISITOR not in phone.driver.page_source
        phone.shot("visit-status-filed")

        # 2. the host unit approves, 3. the office gives the final approval
        desk = Browser(shots)
        _log_in(desk, server.url, "host1")
        assert no in desk.text("filings")
        desk.shot("staff-filings")
        desk.open(f"{server.url}/staff/filings/{no}")
        assert desk.text("full-id") == ID_VISITOR  # shown only to the approver at this step
        desk.shot("staff-filing-host")
        desk.fill("comment", "同意，由李明接待")
        desk.click("approve")
        desk.wait_for("filings")
        desk.click("logout")
        desk.wait_for("login")
        _log_in(desk, server.url, "office1")
        desk.open(f"{server.url}/staff/filings/{no}")
        desk.click("approve")
        desk.wait_for("filings")
        desk.click("logout")
        desk.wait_for("login")

        # 4. the slip on the phone; the kiosk's own scanner reads it from the screenshot
        phone.open(status_url)
        assert phone.text("status") == "已批准"
        slip_png = phone.shot("visit-status-approved-slip")
        scanned = subprocess.run(
            # a generous budget: this checks what is read, not how fast (a loaded machine)
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "scan",
                "--json",
                "--budget-ms",
                "5000",
                str(slip_png),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        found = [json.loads(line) for line in scanned.stdout.splitlines() if line.strip()]
        texts = [code for item in found for code in _codes(item)]
        slips = [t for t in texts if t.startswith("VA1:")]
        assert slips, f"kiosk scan found no slip: {scanned.stdout[:300]}"
        slip = slips[0]
        phone.click("print-link")
        phone.wait_for("slip-qr")
        phone.shot("visit-slip-printable")

        # 5. the gate on the visit day: health code, slip, temperature, the host's pass
        morning = dt.datetime.combine(visit_day, dt.time(9, 0), c.tz)
        gate = WebGate(tmp_path, server.url, token, "north", c.keys.campus_key(), morning)
        try:
            gate.pull()
            service, store = gate.service(load_policy(REPO / "config" / "policy.toml"))
            with service:
                service.scan(gate.health_code("赵磊", ID_VISITOR, "410105"))
                service.scan(slip)
                assert service.wait_idle(30)
                current = service.snapshot().current
                assert current is not None and current.subject.approval_no == no
                service.reading(current.id, gate.reading(gate.clock.now()))
                assert service.wait_idle(30)
                parked = service.snapshot().parked
                assert [p.outcome for p in parked] == ["pending"]  # waiting for the host
                gate.clock.set(morning + dt.timedelta(minutes=2))
                service.scan(gate.campus_pass("T1001"))
                visitor = final(service, parked[0].id)
                assert visitor.outcome == "admit", visitor.reasons
                gate.clock.set(morning + dt.timedelta(minutes=3))
                service.enter_plate("豫A12345")
                car = final(service)
                assert car.outcome == "admit" and car.subject.approval_no == no
            results = gate.push(store)
            assert results and {r["status"] for r in results} == {"accepted"}
            store.close()
        finally:
            gate.close()

        # 6. the admin finds the decision in the dashboard
        _log_in(desk, server.url, "admin1")
        desk.open(f"{server.url}/admin?day={visit_day.isoformat()}")
        desk.shot("admin-dashboard")
        desk.open(f"{server.url}/admin/log")
        desk.fill("who", no)
        desk.click("search-button")
        desk.wait_for("results")
        rows = desk.text("results")
        assert no in rows and "admit" in rows
        desk.shot("admin-log-search")
        desk.driver.find_element("css selector", "#results a").click()
        assert no in desk.text("payload") and desk.text("outcome") in ("admit",)
        desk.shot("admin-record")
    finally:
        for browser in (phone, desk):
            if browser is not None:
                browser.close()
        server.close()


def _codes(item: object) -> list[str]:
    """Every decoded text in one line of ``kiosk scan --json``."""
    if isinstance(item, dict):
        out = []
        for key, value in item.items():
            if key in ("text", "data") and isinstance(value, str):
                out.append(value)
            else:
                out += _codes(value)
        return out
    if isinstance(item, list):
        return [t for v in item for t in _codes(v)]
    return []
