"""The gate transaction machine: queue behaviour, timeouts, overrides, faults, what is logged."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.clock import ManualClock
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.evidence import Reading
from kiosk.core.identity import id_hmac, mask_id, mask_name
from kiosk.core.memory_registry import MemoryRegistry
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import Checkin, Person, RegistrySnapshot, VisitApproval
from kiosk.core.transaction import Gate, GateSetup

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=TZ)
KEY = b"k" * 32
SIGNER = SigningKey.generate("EdDSA")
VISITOR_ID = "410205199002023456"
STUDENT_ID = "410105200201011111"


class Sink:
    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
        self.records.append((kind, payload))


class Turnstile:
    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.pulses = 0

    def open_turnstile(self) -> bool:
        if not self.works:
            raise OSError("relay unplugged")
        self.pulses += 1
        return True


def registry() -> MemoryRegistry:
    return MemoryRegistry(
        RegistrySnapshot(
            version="test",
            synced_at=NOW,
            people=[
                Person(
                    "T1001", "staff", "李*", id_hmac(KEY, "410105198001011234"), None, "计算机学院"
                ),
                Person("S2020001", "student", "张*", id_hmac(KEY, STUDENT_ID), mask_id(STUDENT_ID)),
                Person("S2020002", "student", "赵*", None, None),
            ],
            visit_approvals=[
                VisitApproval(
                    "V-0001",
                    mask_name("王芳"),
                    id_hmac(KEY, VISITOR_ID),
                    "410102",
                    "计算机学院",
                    "T1001",
                    NOW.date(),
                    (),
                    NOW - dt.timedelta(days=2),
                    "approved",
                ),
            ],
            checkins=[Checkin("S2020001", NOW.date(), "normal")],
        )
    )


def make_gate(
    turnstile: Turnstile | None = None,
    policy: Policy | None = None,
) -> tuple[Gate, ManualClock, Sink, Turnstile]:
    clock = ManualClock(NOW)
    sink = Sink()
    turnstile = turnstile or Turnstile()
    ring = KeyRing([SIGNER.trusted_key("test", ("HK1", "CP1", "VA1"))])
    setup = GateSetup("north", "in", TZ, "4101", policy or Policy(break_=_no_break()), KEY)
    gate = Gate(
        setup,
        registry=registry(),
        keyring=lambda: ring,
        clock=clock,
        sink=sink,
        actuator=turnstile,
        admin_pin_ok=lambda pin: pin == "2468",
    )
    return gate, clock, sink, turnstile


def _no_break() -> Any:
    from kiosk.core.policy_config import BreakRules

    return BreakRules(start=None, end=None)


def campus_pass(person_no: str, clock: ManualClock, **claims: Any) -> str:
    now = clock.now()
    return codec.issue_campus_pass(
        SIGNER,
        person_no=person_no,
        role=claims.pop("role", "student"),
        iat=now - dt.timedelta(seconds=5),
        exp=now + dt.timedelta(seconds=55),
        **claims,
    )


def health_code(clock: ManualClock) -> str:
    now = clock.now()
    return codec.issue_health_code(
        SIGNER,
        name="王芳",
        id_number=VISITOR_ID,
        iat=now,
        exp=now + dt.timedelta(hours=24),
        visited_regions=("410102",),
    )


def test_student_admitted_after_temperature_and_turnstile_pulses() -> None:
    gate, clock, sink, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    assert tx.verdict.outcome == "pending" and tx.verdict.needs == ("temperature",)
    assert turnstile.pulses == 0 and not sink.records
    gate.temperature(Reading(body_c=36.5, raw_c=35.6, frames=5))
    assert tx.verdict.outcome == "admit"
    assert turnstile.pulses == 1
    assert [kind for kind, _ in sink.records] == ["decision"]


def test_parked_visitor_does_not_block_the_queue_and_pairs_with_host() -> None:
    gate, clock, sink, turnstile = make_gate()
    visitor = gate.present_text(health_code(clock))
    gate.temperature(Reading(body_c=36.4))
    assert visitor.verdict.outcome == "pending" and visitor.verdict.reasons == (
        Reason.ESCORT_REQUIRED,
    )
    assert gate.current is None and gate.parked == [visitor]
    clock.advance(dt.timedelta(minutes=2))
    student = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(Reading(body_c=36.6))
    assert student.verdict.outcome == "admit"
    clock.advance(dt.timedelta(minutes=3))
    host = gate.present_text(campus_pass("T1001", clock, role="staff"))
    assert host is visitor and visitor.verdict.outcome == "admit"
    assert turnstile.pulses == 2 and gate.parked == []


def test_parked_visitor_times_out_into_a_logged_reject() -> None:
    gate, clock, sink, _ = make_gate()
    visitor = gate.present_text(health_code(clock))
    gate.temperature(Reading(body_c=36.4))
    clock.advance(dt.timedelta(minutes=10, seconds=1))
    gate.tick()
    assert visitor.verdict.outcome == "reject"
    assert Reason.ESCORT_TIMEOUT in visitor.verdict.reasons
    assert sink.records[-1][1]["reasons"] == ["ESCORT_TIMEOUT"]


def test_unfinished_transaction_times_out() -> None:
    gate, clock, sink, _ = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    clock.advance(dt.timedelta(seconds=121))
    gate.tick()
    assert tx.verdict.outcome == "reject"
    assert set(tx.verdict.reasons) == {Reason.TEMPERATURE_MISSING, Reason.TIMEOUT}


def test_next_person_supersedes_an_unfinished_transaction() -> None:
    gate, clock, sink, _ = make_gate()
    first = gate.present_text(campus_pass("S2020001", clock))
    second = gate.present_text(campus_pass("T1001", clock, role="staff"))
    assert first is not second
    assert first.verdict.outcome == "reject" and Reason.SUPERSEDED in first.verdict.reasons
    assert gate.current is second


def test_same_pass_rescanned_stays_in_its_transaction() -> None:
    gate, clock, _, _ = make_gate()
    text = campus_pass("S2020001", clock)
    first = gate.present_text(text)
    again = gate.present_text(text)
    assert first is again and Reason.CREDENTIAL_REPLAYED not in again.verdict.reasons


def test_garbage_during_a_transaction_is_refused_without_losing_it() -> None:
    gate, clock, _, _ = make_gate()
    refused: list[Reason] = []

    class Listener:
        def on_update(self, tx: Any) -> None: ...
        def on_final(self, tx: Any) -> None: ...
        def on_scan_refused(self, reason: Reason, detail: str) -> None:
            refused.append(reason)

    gate.listener = Listener()  # type: ignore[assignment]
    tx = gate.present_text(campus_pass("S2020001", clock))
    assert gate.present_text(b"\xff\xfe\x00garbage") is tx
    assert refused == [Reason.CODE_UNREADABLE]
    gate.temperature(Reading(body_c=36.5))
    assert tx.verdict.outcome == "admit"


@pytest.mark.parametrize(
    "scanned",
    [
        "",
        "hello",
        "HK1:",
        "HK1:%%%",
        "CP1:" + "A" * 5000,
        b"\x00\x01\x02",
        "https://example.invalid/x",
    ],
)
def test_hostile_scans_reject_and_never_pulse(scanned: str | bytes) -> None:
    gate, clock, sink, turnstile = make_gate()
    tx = gate.present_text(scanned)
    assert tx.verdict.outcome == "reject"
    assert turnstile.pulses == 0 and len(sink.records) == 1


def test_relay_fault_is_logged_and_the_gate_keeps_working() -> None:
    gate, clock, sink, turnstile = make_gate(Turnstile(works=False))
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(Reading(body_c=36.5))
    assert tx.verdict.outcome == "admit" and tx.relay == "fault"
    assert [kind for kind, _ in sink.records] == ["decision", "device"]
    nxt = gate.present_text(campus_pass("T1001", clock, role="staff"))
    assert nxt.verdict.outcome == "pending"


def test_thermometer_offline_rejects_then_guard_override_admits() -> None:
    gate, clock, sink, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(None)
    assert tx.verdict.outcome == "reject" and turnstile.pulses == 0
    gate.override("THERMOMETER_FAULT_CONTACT_OK")
    assert tx.verdict.outcome == "admit" and turnstile.pulses == 1
    assert tx.override == {
        "reason": "THERMOMETER_FAULT_CONTACT_OK",
        "by": "guard",
        "over": "TEMPERATURE_MISSING",
    }
    assert sink.records[-1][1]["override"]["by"] == "guard"


def test_fever_needs_the_admin_pin_to_override() -> None:
    gate, clock, _, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(Reading(body_c=38.2))
    gate.temperature(Reading(body_c=38.1))
    assert tx.verdict.reasons == (Reason.FEVER,)
    gate.override("EMERGENCY_SERVICES")
    assert tx.verdict.outcome == "reject"
    gate.override("EMERGENCY_SERVICES", pin="0000")
    assert tx.verdict.outcome == "reject"
    gate.retest()
    assert tx.verdict.outcome == "reject", "a guard retest cannot wash out a confirmed fever"
    gate.override("EMERGENCY_SERVICES", pin="2468")
    assert tx.verdict.outcome == "admit" and turnstile.pulses == 1


def test_log_payload_holds_no_raw_identity_or_qr_text() -> None:
    gate, clock, sink, _ = make_gate()
    text = health_code(clock)
    gate.present_text(text)
    gate.temperature(Reading(body_c=36.4))
    clock.advance(dt.timedelta(minutes=11))
    gate.tick()
    blob = json.dumps([p for _, p in sink.records], ensure_ascii=False)
    assert VISITOR_ID not in blob and "王芳" not in blob and text[4:40] not in blob
    assert "**************3456" in blob and "410205" not in blob and "王*" in blob


def test_a_pass_never_joins_a_visitors_transaction() -> None:
    gate, clock, sink, turnstile = make_gate()
    slip = codec.issue_visit_slip(
        SIGNER, approval_no="V-0001", iat=clock.now(), exp=clock.now() + dt.timedelta(days=1)
    )
    visitor = gate.present_text(slip)
    gate.temperature(Reading(body_c=36.4))
    assert visitor.verdict.outcome == "pending"
    student = gate.present_text(campus_pass("S2020001", clock))
    assert student is not visitor
    assert Reason.SUPERSEDED in visitor.verdict.reasons
    assert student.evidence.readings == ()
    assert student.verdict.needs == ("temperature",)


def test_retest_after_an_admit_never_opens_the_turnstile_again() -> None:
    gate, clock, sink, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(Reading(body_c=36.5))
    assert tx.verdict.outcome == "admit" and turnstile.pulses == 1
    assert gate.retest() is tx
    assert turnstile.pulses == 1 and len(sink.records) == 1


def test_refused_overrides_are_logged_for_the_audit() -> None:
    gate, clock, sink, _ = make_gate()
    gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(Reading(body_c=38.2))
    gate.temperature(Reading(body_c=38.3))
    gate.override("NOT_A_REASON")
    gate.override("EMERGENCY_SERVICES", pin="1111")
    audits = [p for kind, p in sink.records if kind == "audit"]
    assert [a["event"] for a in audits] == ["override_refused", "override_refused"]
    assert "unknown override reason" in audits[0]["detail"]
    assert audits[1]["detail"] == "admin PIN wrong for FEVER"
