"""The gate transaction machine: queue behaviour, timeouts, overrides, faults, what is logged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.clock import ManualClock
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.datasets import DatasetTimes
from kiosk.core.evidence import Reading
from kiosk.core.identity import id_hmac, mask_id, mask_name
from kiosk.core.memory_registry import MemoryRegistry
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import Checkin, Person, RegistrySnapshot, VisitApproval
from kiosk.core.transaction import Gate, GateListener, GateSetup

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
    """Answers a pulse request at once, as the service's relay worker would later."""

    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.pulses = 0
        self.gate: Gate | None = None

    def request_pulse(self, tx_id: str) -> None:
        assert self.gate is not None
        if self.works:
            self.pulses += 1
        self.gate.relay_result(tx_id, self.works, "" if self.works else "relay unplugged")


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
        pulses=turnstile,
        admin_pin_ok=lambda pin: pin == "2468",
    )
    turnstile.gate = gate
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
    gate.temperature(tx.id, Reading(body_c=36.5, raw_c=35.6, frames=5))
    assert tx.verdict.outcome == "admit"
    assert turnstile.pulses == 1
    assert [kind for kind, _ in sink.records] == ["decision", "device"]
    assert sink.records[1][1]["event"] == "relay_pulsed"


def test_parked_visitor_does_not_block_the_queue_and_pairs_with_host() -> None:
    gate, clock, sink, turnstile = make_gate()
    visitor = gate.present_text(health_code(clock))
    gate.temperature(visitor.id, Reading(body_c=36.4))
    assert visitor.verdict.outcome == "pending" and visitor.verdict.reasons == (
        Reason.ESCORT_REQUIRED,
    )
    assert gate.current is None and gate.parked == [visitor]
    clock.advance(dt.timedelta(minutes=2))
    student = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(student.id, Reading(body_c=36.6))
    assert student.verdict.outcome == "admit"
    clock.advance(dt.timedelta(minutes=3))
    host = gate.present_text(campus_pass("T1001", clock, role="staff"))
    assert host is visitor and visitor.verdict.outcome == "admit"
    assert turnstile.pulses == 2 and gate.parked == []


def test_parked_visitor_times_out_into_a_logged_reject() -> None:
    gate, clock, sink, _ = make_gate()
    visitor = gate.present_text(health_code(clock))
    gate.temperature(visitor.id, Reading(body_c=36.4))
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

    class Listener(GateListener):
        def on_scan_refused(self, reason: Reason, detail: str) -> None:
            refused.append(reason)

    gate.listener = Listener()
    tx = gate.present_text(campus_pass("S2020001", clock))
    assert gate.present_text(b"\xff\xfe\x00garbage") is tx
    assert refused == [Reason.CODE_UNREADABLE]
    gate.temperature(tx.id, Reading(body_c=36.5))
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
    gate.temperature(tx.id, Reading(body_c=36.5))
    assert tx.verdict.outcome == "admit" and tx.relay == "fault"
    assert [kind for kind, _ in sink.records] == ["decision", "device"]
    assert sink.records[1][1]["event"] == "relay_fault"
    nxt = gate.present_text(campus_pass("T1001", clock, role="staff"))
    assert nxt.verdict.outcome == "pending"


def test_thermometer_offline_rejects_then_guard_override_admits() -> None:
    gate, clock, sink, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, None)
    assert tx.verdict.outcome == "reject" and turnstile.pulses == 0
    gate.override(tx.id, "THERMOMETER_FAULT_CONTACT_OK")
    assert tx.verdict.outcome == "admit" and turnstile.pulses == 1
    assert tx.override == {
        "reason": "THERMOMETER_FAULT_CONTACT_OK",
        "by": "guard",
        "over": "TEMPERATURE_MISSING",
    }
    decisions = [p for kind, p in sink.records if kind == "decision"]
    assert decisions[-1]["override"]["by"] == "guard"


def test_fever_needs_the_admin_pin_to_override() -> None:
    gate, clock, _, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=38.2))
    gate.temperature(tx.id, Reading(body_c=38.1))
    assert tx.verdict.reasons == (Reason.FEVER,)
    gate.override(tx.id, "EMERGENCY_SERVICES")
    assert tx.verdict.outcome == "reject"
    gate.override(tx.id, "EMERGENCY_SERVICES", pin="0000")
    assert tx.verdict.outcome == "reject"
    gate.retest(tx.id)
    assert tx.verdict.outcome == "reject", "a guard retest cannot wash out a confirmed fever"
    gate.override(tx.id, "EMERGENCY_SERVICES", pin="2468")
    assert tx.verdict.outcome == "admit" and turnstile.pulses == 1


def test_log_payload_holds_no_raw_identity_or_qr_text() -> None:
    gate, clock, sink, _ = make_gate()
    text = health_code(clock)
    tx = gate.present_text(text)
    gate.temperature(tx.id, Reading(body_c=36.4))
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
    gate.temperature(visitor.id, Reading(body_c=36.4))
    assert visitor.verdict.outcome == "pending"
    student = gate.present_text(campus_pass("S2020001", clock))
    assert student is not visitor
    assert Reason.SUPERSEDED in visitor.verdict.reasons
    assert student.evidence.readings == ()
    assert student.verdict.needs == ("temperature",)


def test_retest_after_an_admit_never_opens_the_turnstile_again() -> None:
    gate, clock, sink, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=36.5))
    assert tx.verdict.outcome == "admit" and turnstile.pulses == 1
    assert gate.retest(tx.id) is tx
    assert turnstile.pulses == 1 and [k for k, _ in sink.records] == ["decision", "device", "audit"]
    assert sink.records[-1][1]["event"] == "retest_refused"


def test_refused_overrides_are_logged_for_the_audit() -> None:
    gate, clock, sink, _ = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=38.2))
    gate.temperature(tx.id, Reading(body_c=38.3))
    gate.override(tx.id, "NOT_A_REASON")
    gate.override(tx.id, "EMERGENCY_SERVICES", pin="1111")
    audits = [p for kind, p in sink.records if kind == "audit"]
    assert [a["event"] for a in audits] == ["override_refused", "override_refused"]
    assert "unknown override reason" in audits[0]["detail"]
    assert audits[1]["detail"] == "admin PIN wrong for FEVER"


# --- readings belong to their transaction (issue 6, defect 1) -----------------------------
def test_a_reading_taken_for_one_person_never_counts_for_the_next() -> None:
    gate, clock, sink, turnstile = make_gate()
    first = gate.present_text(campus_pass("S2020001", clock))
    second = gate.present_text(campus_pass("T1001", clock, role="staff"))
    assert gate.temperature(first.id, Reading(body_c=36.5)) is None
    assert second.verdict.outcome == "pending" and second.verdict.needs == ("temperature",)
    assert second.evidence.readings == () and turnstile.pulses == 0


def test_a_reading_whose_frames_predate_the_transaction_is_discarded() -> None:
    gate, clock, sink, turnstile = make_gate()
    window_opened = clock.now()
    clock.advance(dt.timedelta(seconds=1))
    tx = gate.present_text(campus_pass("S2020001", clock))
    early = Reading(body_c=36.5, taken_from=window_opened, taken_until=clock.now())
    assert gate.temperature(tx.id, early) is None
    assert tx.verdict.needs == ("temperature",)
    on_time = Reading(body_c=36.5, taken_from=clock.now(), taken_until=clock.now())
    assert gate.temperature(tx.id, on_time) is tx and tx.verdict.outcome == "admit"
    assert sink.records[0][1]["temperature"][0]["taken_from"] == clock.now().isoformat()


# --- every command names its transaction (defect 2) ---------------------------------------
def test_a_parked_visitor_can_be_overridden_after_others_passed() -> None:
    gate, clock, sink, turnstile = make_gate()
    visitor = gate.present_text(health_code(clock))
    gate.temperature(visitor.id, Reading(body_c=36.4))
    student = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(student.id, Reading(body_c=36.5))
    assert student.verdict.outcome == "admit" and gate.last is student
    gate.override(visitor.id, "HOST_CONFIRMED_BY_PHONE")
    assert visitor.verdict.outcome == "admit" and visitor.override is not None
    assert gate.parked == [] and turnstile.pulses == 2
    assert student.override is None


def test_actions_on_unknown_or_admitted_transactions_are_refused_and_audited() -> None:
    gate, clock, sink, turnstile = make_gate()
    refused: list[tuple[str, str, str]] = []

    class Listener(GateListener):
        def on_action_refused(self, tx_id: str, action: str, detail: str) -> None:
            refused.append((tx_id, action, detail))

    gate.listener = Listener()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=36.5))
    assert gate.override("no-such-id", "EMERGENCY_SERVICES") is None
    assert gate.override(tx.id, "EMERGENCY_SERVICES") is tx
    assert gate.confirm_host(tx.id) is tx
    assert [(a, d) for _, a, d in refused] == [
        ("override", "unknown or expired transaction"),
        ("override", "already admitted"),
        ("confirm_host", "not a visitor waiting for the host"),
    ]
    audits = [p for kind, p in sink.records if kind == "audit"]
    assert [a["event"] for a in audits] == [
        "override_refused",
        "override_refused",
        "confirm_host_refused",
    ]
    assert audits[0]["transaction_id"] == "no-such-id"
    assert turnstile.pulses == 1


def test_guard_confirmation_of_the_host_admits_the_parked_visitor_and_is_logged() -> None:
    gate, clock, sink, turnstile = make_gate()
    visitor = gate.present_text(health_code(clock))
    gate.temperature(visitor.id, Reading(body_c=36.4))
    assert visitor in gate.parked
    gate.confirm_host(visitor.id)
    assert visitor.verdict.outcome == "admit" and turnstile.pulses == 1
    decision = next(p for kind, p in sink.records if kind == "decision")
    assert decision["host_confirmed_by_guard"] is True and decision["override"] is None


def test_fever_acknowledgement_is_an_audit_event_only_for_a_fever() -> None:
    gate, clock, sink, _ = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.ack_fever(tx.id)
    gate.temperature(tx.id, Reading(body_c=38.2))
    gate.ack_fever(tx.id)
    assert tx.fever_acknowledged
    events = [p["event"] for kind, p in sink.records if kind == "audit"]
    assert events == ["ack_fever_refused", "fever_acknowledged"]


def test_direction_switch_is_logged_and_applies_to_later_transactions() -> None:
    gate, clock, sink, _ = make_gate()
    entering = gate.present_text(campus_pass("S2020001", clock))
    gate.set_direction("out")
    leaving = gate.present_text(campus_pass("T1001", clock, role="staff"))
    assert entering.direction == "in" and leaving.direction == "out"
    assert leaving.verdict.outcome == "admit", "no temperature on the way out"
    audit = next(p for kind, p in sink.records if kind == "audit")
    assert audit["event"] == "direction_changed" and (audit["from"], audit["to"]) == ("in", "out")


def test_identity_source_is_recorded_in_the_decision() -> None:
    gate, clock, sink, _ = make_gate()
    tx = gate.present_manual(person_no="S2020001", source="idcard")
    gate.present_text(campus_pass("S2020001", clock), "camera")
    gate.temperature(tx.id, Reading(body_c=36.5))
    decision = next(p for kind, p in sink.records if kind == "decision")
    assert decision["identified_by"] == ["idcard", "camera"]


# --- log → notify → pulse (defect 3) ------------------------------------------------------
def test_a_decision_is_logged_then_announced_then_the_pulse_is_asked() -> None:
    order: list[str] = []

    class OrderSink(Sink):
        def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
            order.append(f"log {kind}")
            super().record(kind, at, payload)

    class OrderListener(GateListener):
        def on_final(self, tx: Any) -> None:
            order.append(f"final relay={tx.relay}")

        def on_relay(self, tx: Any) -> None:
            order.append(f"relay {tx.relay}")

    class OrderTurnstile(Turnstile):
        def request_pulse(self, tx_id: str) -> None:
            order.append("pulse requested")
            super().request_pulse(tx_id)

    gate, clock, _, turnstile = make_gate(OrderTurnstile())
    gate.sink = OrderSink()
    gate.listener = OrderListener()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=36.5))
    assert order == [
        "log decision",
        "final relay=pending",
        "pulse requested",
        "log device",
        "relay pulsed",
    ]


def test_an_admit_that_cannot_be_logged_is_refused_and_never_pulses() -> None:
    faults: list[str] = []

    class BrokenSink:
        def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
            raise OSError("disk full")

    class Listener(GateListener):
        def on_fault(self, tx: Any, detail: str) -> None:
            faults.append(detail)

    gate, clock, _, turnstile = make_gate()
    gate.sink = BrokenSink()
    gate.listener = Listener()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=36.5))
    assert tx.verdict.outcome == "reject" and Reason.LOG_UNAVAILABLE in tx.verdict.reasons
    assert turnstile.pulses == 0 and tx.relay == "idle"
    assert faults == ["decision not logged: disk full"] and tx.fault == faults[0]


def test_an_override_that_cannot_be_logged_did_not_happen() -> None:
    gate, clock, sink, turnstile = make_gate()
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, None)
    assert tx.verdict.outcome == "reject"

    class BrokenSink:
        def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
            raise OSError("database is locked")

    gate.sink = BrokenSink()
    gate.override(tx.id, "THERMOMETER_FAULT_CONTACT_OK")
    assert tx.verdict.outcome == "reject" and tx.override is None
    assert Reason.OVERRIDDEN not in tx.verdict.warnings
    assert Reason.LOG_UNAVAILABLE in tx.verdict.reasons and turnstile.pulses == 0


def _stale(gate: Gate) -> None:
    """Every dataset was last synced 30 h ago (R15: older than the 24 h allowed)."""
    gate._data_as_of = lambda: DatasetTimes.uniform(NOW - dt.timedelta(hours=30))


def test_a_stale_registry_waits_for_the_guard_whose_confirmation_admits() -> None:
    gate, clock, sink, turnstile = make_gate()
    _stale(gate)
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=36.5))
    assert tx.verdict.outcome == "pending" and tx.verdict.needs == ("guard",)
    assert tx.verdict.reasons == (Reason.REGISTRY_STALE, Reason.GUARD_CONFIRMATION_REQUIRED)
    assert tx.verdict.confirmable == (Reason.REGISTRY_STALE,) and turnstile.pulses == 0
    assert gate.confirm_guard(tx.id) is tx
    assert tx.verdict.outcome == "admit" and tx.verdict.warnings == (Reason.GUARD_CONFIRMED,)
    assert tx.override is None and turnstile.pulses == 1
    audit, decision = [p for kind, p in sink.records if kind in ("audit", "decision")]
    assert audit == {
        "event": "guard_confirmed",
        "gate": "north",
        "transaction_id": tx.id,
        "confirmed": ["REGISTRY_STALE"],
    }
    assert decision["guard_confirmed"] == ["REGISTRY_STALE"] and decision["override"] is None
    assert decision["outcome"] == "admit" and decision["warnings"] == ["GUARD_CONFIRMED"]


def test_the_guard_cannot_confirm_away_a_hard_rule_or_a_decided_transaction() -> None:
    gate, clock, sink, turnstile = make_gate()
    _stale(gate)
    refused: list[tuple[str, str]] = []

    class Listener(GateListener):
        def on_action_refused(self, tx_id: str, action: str, detail: str) -> None:
            refused.append((action, detail))

    gate.listener = Listener()
    fever = gate.present_text(campus_pass("S2020001", clock))
    assert gate.confirm_guard(fever.id) is fever  # waits for a temperature, not a guard
    gate.temperature(fever.id, Reading(body_c=38.4))
    gate.retest(fever.id)
    gate.temperature(fever.id, Reading(body_c=38.5))
    assert fever.verdict.outcome == "reject" and Reason.FEVER in fever.verdict.reasons
    gate.confirm_guard(fever.id)
    gate.confirm_guard("no-such-id")
    assert fever.verdict.outcome == "reject" and turnstile.pulses == 0
    assert refused == [
        ("confirm_guard", "nothing waits for a guard's confirmation"),
        ("confirm_guard", "refused (FEVER): only an override with a reason can admit"),
        ("confirm_guard", "unknown or expired transaction"),
    ]
    events = [p["event"] for kind, p in sink.records if kind == "audit"]
    assert events == [
        "confirm_guard_refused",
        "retest_requested",
        "confirm_guard_refused",
        "confirm_guard_refused",
    ]
    assert all(not p.get("guard_confirmed") for kind, p in sink.records if kind == "decision")


def test_an_online_check_without_an_answer_waits_for_the_guard_a_red_answer_refuses() -> None:
    class Server:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def request_check(self, tx_id: str, text: str) -> None:
            self.asked.append(tx_id)

    policy = Policy(
        break_=_no_break(),
        health_code=dataclasses.replace(
            Policy().health_code, online_patterns=[r"^https://hc\."]
        ),
    )
    gate, clock, sink, turnstile = make_gate(policy=policy)
    server = Server()
    gate.online = server
    unanswered = gate.present_text("https://hc.example.cn/q?t=1")
    gate.online_result(unanswered.id, "unreachable")
    assert unanswered.verdict.outcome == "pending" and unanswered.verdict.needs[0] == "guard"
    assert unanswered.verdict.confirmable == (Reason.HEALTH_CODE_UNVERIFIED,)
    gate.confirm_guard(unanswered.id)
    gate.present_manual(approval_no="V-0001")  # the slip's number names the visitor
    gate.temperature(unanswered.id, Reading(body_c=36.4))
    gate.confirm_host(unanswered.id)
    assert unanswered.verdict.outcome == "admit"
    assert unanswered.verdict.warnings == (Reason.GUARD_CONFIRMED,)

    red = gate.present_text("https://hc.example.cn/q?t=2")
    gate.online_result(red.id, "red")
    assert red.verdict.outcome == "reject"
    assert red.verdict.reasons == (Reason.HEALTH_CODE_NOT_GREEN,)
    gate.confirm_guard(red.id)
    assert red.verdict.outcome == "reject" and turnstile.pulses == 1
    assert len(server.asked) == 2


def test_a_guard_confirmation_that_cannot_be_logged_did_not_happen() -> None:
    gate, clock, sink, turnstile = make_gate()
    _stale(gate)
    tx = gate.present_text(campus_pass("S2020001", clock))
    gate.temperature(tx.id, Reading(body_c=36.5))

    class BrokenSink:
        def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
            raise OSError("database is locked")

    gate.sink = BrokenSink()
    gate.confirm_guard(tx.id)
    assert tx.verdict.outcome == "pending" and tx.evidence.guard_confirmed == ()
    assert turnstile.pulses == 0
