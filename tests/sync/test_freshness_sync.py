"""Per-dataset freshness end to end (R15, issue 8): the real ``central serve`` process says when
each kind last came from its source; a gate that has just synced still knows its check-ins are
a day old, and only decisions that read the check-ins wait for the guard."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from central import admin, workflow
from central.context import Central
from kiosk.cli import main
from kiosk.core.clock import ManualClock
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import load_policy
from kiosk.core.reasons import Reason
from kiosk.core.transaction import Gate as KioskGate
from kiosk.runtime import build_gate
from kiosk.sync.online import OnlineCheck
from kiosk.sync.status import STATUS_FILE, load_status
from tests.support.central_server import CentralServer
from tests.support.sync_checks import admin_json
from tests.sync.conftest import Gate

ROOT = Path(__file__).resolve().parents[2]
CAMPUS = ZoneInfo("Asia/Shanghai")
GREEN = "https://hc.example.gov.cn/healthcode?t=visitor-green"
STUDENT = "S2020001"
HOST = "T1001"

pytestmark = pytest.mark.timeout(120)


@contextmanager
def at(central: Central, when: dt.datetime) -> Iterator[None]:
    """Writes made in the block carry ``when`` as the server's time."""
    before = central.clock
    central.clock = lambda: when
    try:
        yield
    finally:
        central.clock = before


class Requests:
    """The gate's online-check requests, answered by the test through the real server."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def request_check(self, tx_id: str, text: str) -> None:
        self.asked.append((tx_id, text))


def _registry(server: CentralServer, today: dt.date, checkins_at: dt.datetime) -> str:
    """People now, check-ins imported at ``checkins_at``, a visit filed three days ago and
    approved now; returns the visit's signed slip."""
    central = server.central
    admin.put_records(
        central,
        "people",
        [
            {"person_no": STUDENT, "role": "student", "name": "王小明", "unit": "CS"},
            {"person_no": HOST, "role": "staff", "name": "李明", "unit": "计算机学院"},
        ],
        "registrar",
    )
    with at(central, checkins_at):
        admin.put_records(
            central,
            "checkins",
            [{"person_no": STUDENT, "date": today.isoformat(), "status": "normal"}],
            "checkin-import",
        )
    now = dt.datetime.now(dt.UTC)
    with at(central, now - dt.timedelta(days=3)):
        filed = workflow.file_visit(
            central,
            {
                "name": "赵磊",
                "id_number": "410102198705113381",
                "origin_region": "410102",
                "host_unit": "计算机学院",
                "host_person_no": HOST,
                "visit_date": today.isoformat(),
                "gates": ["north"],
            },
            "host",
        )
    approval_no = str(filed["approval_no"])
    workflow.approve_by_host(central, approval_no, "host")
    approved = workflow.approve_by_office(central, approval_no, "office")
    admin_json(server, "POST", "/health-codes", {"code": GREEN, "color": "green"})
    return str(approved["slip"])


def _gate(g: Gate, clock: ManualClock) -> tuple[KioskGate, Requests]:
    policy = load_policy(ROOT / "config" / "policy.toml")
    kiosk = build_gate(g.config, policy, g.store, clock=clock)
    requests = Requests()
    kiosk.online = requests
    return kiosk, requests


def _student(kiosk: KioskGate, clock: ManualClock) -> str:
    tx = kiosk.present_manual(person_no=STUDENT)
    clock.advance(dt.timedelta(seconds=2))
    kiosk.temperature(tx.id, Reading(body_c=36.5, frames=3))
    return tx.id


def _visitor(kiosk: KioskGate, requests: Requests, g: Gate, clock: ManualClock, slip: str) -> str:
    tx = kiosk.present_text(slip)
    kiosk.present_text(GREEN)
    (tx_id, code), *_ = requests.asked
    kiosk.online_result(tx_id, OnlineCheck(g.worker.client, timeout_s=5)(code))
    clock.advance(dt.timedelta(seconds=2))
    kiosk.temperature(tx.id, Reading(body_c=36.4, frames=3))
    kiosk.confirm_host(tx.id)  # the guard rang the host (R6)
    return tx.id


def _decision(g: Gate, tx_id: str) -> dict[str, Any]:
    for record in reversed(g.store.log.tail(50)):
        if record.kind == "decision" and record.payload["transaction_id"] == tx_id:
            return dict(record.payload)
    raise AssertionError(f"no decision logged for {tx_id}")


def test_stale_checkins_hold_the_student_and_not_the_visitor(
    central: CentralServer, gate: Gate, capsys: pytest.CaptureFixture[str]
) -> None:
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(CAMPUS).date()
    yesterday = now - dt.timedelta(hours=26)
    slip = _registry(central, today, checkins_at=yesterday)

    result = gate.worker.run_once()
    assert result.error is None, result.error
    syncs = {s.dataset: s for s in result.status.datasets}
    assert syncs["checkins"].source_at == yesterday
    assert syncs["checkins"].as_of == yesterday
    assert syncs["people"].synced_at is not None and syncs["people"].as_of is not None
    assert (syncs["people"].as_of - now).total_seconds() > -5, "people: current as of the pull"
    assert syncs["visit_approvals"].source_at is None, "the server's own workflow: current"
    saved = load_status(gate.config.data_dir / STATUS_FILE)
    assert saved is not None and saved.datasets == result.status.datasets
    oldest = result.status.oldest_dataset(dt.datetime.now(dt.UTC))
    assert oldest is not None and oldest[0] == "checkins" and (oldest[1] or 0) > 25 * 3600

    shutil.copy(ROOT / "config" / "policy.toml", gate.config.policy_file)
    assert main(["--config", str(gate.config.file), "sync", "status"]) == 0
    out = capsys.readouterr().out
    source = yesterday.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f"  checkins         26.0 h old     (limit 24 h, same day, source {source})\n" in out
    assert re.search(r"^  people           \d+ s old +\(limit 24 h, source .+\)$", out, re.M)
    assert re.search(r"^  visit_approvals  \d+ s old +\(limit 6 h\)$", out, re.M)

    clock = ManualClock(dt.datetime.now(dt.UTC))
    kiosk, requests = _gate(gate, clock)
    student_id = _student(kiosk, clock)
    student = kiosk._recent[student_id]
    assert student.verdict.outcome == "pending"
    assert set(student.verdict.reasons) == {
        Reason.REGISTRY_STALE,
        Reason.GUARD_CONFIRMATION_REQUIRED,
    }
    assert [s.dataset for s in student.verdict.stale] == ["checkins"]

    visitor_id = _visitor(kiosk, requests, gate, clock, slip)
    visitor = kiosk._recent[visitor_id]
    assert visitor.verdict.outcome == "admit", visitor.verdict

    # The guard let the student in on the phone; the record says which data was old and why.
    kiosk.override(student_id, "REGISTRY_CONFIRMED_BY_PHONE")
    record = _decision(gate, student_id)
    assert record["outcome"] == "admit"
    (stale,) = record["stale_data"]
    assert stale["dataset"] == "checkins" and stale["same_day"] is True
    assert stale["as_of"] == yesterday.isoformat() and stale["age_h"] >= 26
    assert stale["max_age_h"] == 24.0
    assert _decision(gate, visitor_id)["stale_data"] == []

    # Today's import reaches the server (its admin API, its clock): the next student goes in.
    csv = "person_no,date,status\n" + f"{STUDENT},{today.isoformat()},normal\n"
    answer = central.admin(
        "POST", "/import/checkins", data=csv.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    assert gate.worker.run_once().error is None
    clock.set(max(dt.datetime.now(dt.UTC), clock.now() + dt.timedelta(seconds=1)))
    again = kiosk._recent[_student(kiosk, clock)]
    assert again.verdict.outcome == "admit", again.verdict
    fresh = again.evidence.data_as_of.of("checkins")
    assert fresh is not None and fresh > now
