"""The gate service end to end: a real SQLite store and log, the relay simulator behind the real
relay adapter, a pty thermometer behind the measurement adapter; threads and ordering."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from drivers.device import DeviceState
from drivers.relay.device import RelayDevice
from drivers.relay.simulator import RelaySimulator
from drivers.thermometer.device import ThermometerDevice
from drivers.thermometer.simulator import ThermometerSimulator
from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.core.clock import Clock, ManualClock
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import SigningKey
from kiosk.core.evidence import OnlineColor, Reading
from kiosk.core.identity import id_hmac, mask_name
from kiosk.core.policy_config import BreakRules, Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import Checkin, Person, RegistrySnapshot, TrustKey, VisitApproval
from kiosk.devices import start_thermometer
from kiosk.runtime import RelayTurnstile, ThermometerReadings, build_gate, build_service
from kiosk.service import GateService, Refusal, ServiceListener, TransactionView
from kiosk.store import Store, open_store
from kiosk.store.secrets import KEY_BYTES, install_campus_key
from kiosk.store.store import campus_key_path

NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=dt.UTC)
SIGNER = SigningKey.generate("EdDSA")
VISITOR_ID = "410205199002023456"
PULSE_MS = 300
POLICY = Policy(
    break_=BreakRules(start=None, end=None),
    health_code=dataclasses.replace(Policy().health_code, online_patterns=[r"^https://hc\."]),
)


class Recorder(ServiceListener):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def _add(self, kind: str, item: Any) -> None:
        with self.lock:
            self.events.append((kind, item))
            self.threads.add(threading.current_thread().name)

    def on_transaction(self, view: TransactionView) -> None:
        self._add("transaction", view)

    def on_decision(self, view: TransactionView) -> None:
        self._add("decision", view)

    def on_relay(self, view: TransactionView) -> None:
        self._add("relay", view)

    def on_refused(self, refusal: Refusal) -> None:
        self._add("refused", refusal)

    def on_fault(self, view: TransactionView | None, detail: str) -> None:
        self._add("fault", detail)

    def of(self, kind: str) -> list[Any]:
        with self.lock:
            return [item for k, item in self.events if k == kind]


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    base = load_kiosk_config()
    paths = dataclasses.replace(base.settings.paths, data_dir=str(tmp_path), database_url="")
    thermo = dataclasses.replace(base.settings.thermometer, window_s=0.4, min_frames=2)
    settings = dataclasses.replace(base.settings, paths=paths, thermometer=thermo)
    return dataclasses.replace(base, settings=settings)


@pytest.fixture
def store(config: KioskConfig) -> Iterator[Store]:
    install_campus_key(campus_key_path(config), os.urandom(KEY_BYTES))
    store = open_store(config)
    key = store.id_key
    t = SIGNER.trusted_key("school", ("HK1", "CP1", "VA1"))
    store.writer.replace(
        RegistrySnapshot(
            version="test",
            synced_at=NOW,
            people=[
                Person("T1001", "staff", "李*", id_hmac(key, "410105198001011234"), None, "计算机"),
                Person("S2020001", "student", "张*", None, None),
                Person("S2020002", "student", "赵*", None, None),
            ],
            visit_approvals=[
                VisitApproval(
                    "V-0001",
                    mask_name("王芳"),
                    id_hmac(key, VISITOR_ID),
                    "410102",
                    "计算机",
                    "T1001",
                    NOW.date(),
                    (),
                    NOW - dt.timedelta(days=2),
                    "approved",
                )
            ],
            checkins=[
                Checkin("S2020001", NOW.date(), "normal"),
                Checkin("T1001", NOW.date(), "normal"),
            ],
            trust_keys=[
                TrustKey(
                    t.kid, t.alg, t.public_key_der, "school", None, None, ("HK1", "CP1", "VA1")
                )
            ],
        )
    )
    yield store
    store.close()


@pytest.fixture
def relay() -> Iterator[tuple[RelaySimulator, RelayDevice]]:
    sim = RelaySimulator("modbus-coil", "normal")
    sim.start()
    device = RelayDevice(sim.port, "modbus-coil", 1, reply_timeout_s=0.3)
    device.initialise()
    yield sim, device
    device.close()
    sim.close()


def campus_pass(person_no: str, clock: Clock, role: str = "student") -> str:
    now = clock.now()
    return codec.issue_campus_pass(
        SIGNER,
        person_no=person_no,
        role=role,
        iat=now - dt.timedelta(seconds=5),
        exp=now + dt.timedelta(seconds=55),
    )


def service_for(
    config: KioskConfig,
    store: Store,
    relay: RelayDevice,
    clock: Clock,
    **kwargs: Any,
) -> GateService:
    gate = build_gate(config, POLICY, store, clock=clock)
    return GateService(gate, turnstile=RelayTurnstile(relay, PULSE_MS), **kwargs)


def test_listeners_hear_the_decision_before_the_relay_pulse_on_the_relay_thread(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    sim, device = relay
    clock = ManualClock(NOW)
    recorder = Recorder()
    pulses_at_decision: list[int] = []

    class Watch(ServiceListener):
        def on_decision(self, view: TransactionView) -> None:
            pulses_at_decision.append(len(sim.pulses()))

    with service_for(config, store, device, clock) as service:
        service.add_listener(recorder)
        service.add_listener(Watch())
        service.scan(campus_pass("S2020001", clock))
        assert service.wait_idle(10)
        tx_id = service.snapshot().current.id  # type: ignore[union-attr]
        service.reading(tx_id, Reading(body_c=36.5, frames=3))
        assert service.wait_idle(10)
    (decision,) = recorder.of("decision")
    (relayed,) = recorder.of("relay")
    assert decision.outcome == "admit" and decision.relay == "pending"
    assert pulses_at_decision == [0], "the screen hears of the admit before the turnstile moves"
    assert relayed.relay == "pulsed" and len(sim.pulses()) == 1
    assert recorder.threads == {"gate"}
    kinds = [(r.kind, r.payload.get("event")) for r in store.log.records()]
    assert kinds == [("decision", None), ("device", "relay_pulsed")]


def test_a_relay_fault_is_logged_and_reported_and_the_gate_goes_on(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    sim, device = relay
    sim.profile = "silent"
    clock = ManualClock(NOW)
    recorder = Recorder()
    with service_for(config, store, device, clock) as service:
        service.add_listener(recorder)
        service.enter_identity(person_no="S2020001", source="guard")
        assert service.wait_idle(10)
        view = service.snapshot().current
        assert view is not None and view.identified_by == ("guard",)
        service.reading(view.id, Reading(body_c=36.5))
        assert service.wait_idle(10)
        service.scan(campus_pass("T1001", clock, role="staff"))
        assert service.wait_idle(10)
        assert service.snapshot().current is not None, "the next person is processed"
    (relayed,) = recorder.of("relay")
    assert relayed.relay == "fault" and relayed.outcome == "admit"
    device_records = [r.payload for r in store.log.records() if r.kind == "device"]
    assert device_records[0]["event"] == "relay_fault" and device_records[0]["detail"]


def test_a_log_that_cannot_be_written_never_admits(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    sim, device = relay
    with store.engine.begin() as conn:
        table = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%log%'")
        ).scalar_one()
        conn.execute(
            text(
                f"CREATE TRIGGER full_disk BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        )
    clock = ManualClock(NOW)
    recorder = Recorder()
    with service_for(config, store, device, clock) as service:
        service.add_listener(recorder)
        service.scan(campus_pass("S2020001", clock))
        assert service.wait_idle(10)
        tx_id = service.snapshot().current.id  # type: ignore[union-attr]
        service.reading(tx_id, Reading(body_c=36.5))
        assert service.wait_idle(10)
    (decision,) = recorder.of("decision")
    assert decision.outcome == "reject" and Reason.LOG_UNAVAILABLE in decision.reasons
    assert decision.fault and "disk is full" in decision.fault
    assert recorder.of("fault") and sim.pulses() == [] and recorder.of("relay") == []


def test_guard_actions_name_their_transaction(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    _, device = relay
    clock = ManualClock(NOW)
    recorder = Recorder()
    with service_for(config, store, device, clock) as service:
        service.add_listener(recorder)
        hc = codec.issue_health_code(
            SIGNER,
            name="王芳",
            id_number=VISITOR_ID,
            iat=clock.now(),
            exp=clock.now() + dt.timedelta(hours=24),
            visited_regions=("410102",),
        )
        service.scan(hc)
        assert service.wait_idle(10)
        visitor = service.snapshot().current
        assert visitor is not None
        service.reading(visitor.id, Reading(body_c=36.4))
        assert service.wait_idle(10)
        parked = service.snapshot().parked
        assert [v.id for v in parked] == [visitor.id] and parked[0].escort_deadline == (
            NOW + dt.timedelta(minutes=10)
        )
        clock.advance(dt.timedelta(minutes=1))
        service.scan(campus_pass("S2020001", clock))
        assert service.wait_idle(10)
        student = service.snapshot().current
        assert student is not None
        service.reading(student.id, Reading(body_c=36.5))
        service.retest("not-a-transaction")
        service.confirm_host(visitor.id)
        assert service.wait_idle(10)
    assert service.transaction(student.id).outcome == "admit"  # type: ignore[union-attr]
    final = service.transaction(visitor.id)
    assert final is not None and final.outcome == "admit" and final.host_confirmed
    (refusal,) = recorder.of("refused")
    assert (refusal.action, refusal.tx_id) == ("retest", "not-a-transaction")
    audits = [r.payload["event"] for r in store.log.records() if r.kind == "audit"]
    assert audits == ["retest_refused"]


def test_commands_validate_their_arguments_at_once(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    service = service_for(config, store, relay[1], ManualClock(NOW))
    with pytest.raises(ValueError, match="direction"):
        service.set_direction("sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="identity source"):
        service.scan("CP1:x", "keyboard")  # type: ignore[arg-type]


def test_direction_switch_is_reported_and_logged(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    directions: list[str] = []

    class Listener(ServiceListener):
        def on_direction(self, direction: str) -> None:
            directions.append(direction)

    with service_for(config, store, relay[1], ManualClock(NOW)) as service:
        service.add_listener(Listener())
        service.set_direction("out")
        service.set_direction("out")
        assert service.wait_idle(10)
        assert service.snapshot().direction == "out"
    assert directions == ["out"]
    assert [r.payload["event"] for r in store.log.records()] == ["direction_changed"]


def test_the_online_check_never_blocks_the_gate(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    release = threading.Event()
    asked: list[str] = []

    def slow_server(code: str) -> OnlineColor:
        asked.append(threading.current_thread().name)
        release.wait(10)
        return "green"

    clock = ManualClock(NOW)
    with service_for(
        config, store, relay[1], clock, online=slow_server, online_timeout_s=5.0
    ) as service:
        service.scan("https://hc.example.cn/q?t=1")
        deadline = time.monotonic() + 5
        while not asked and time.monotonic() < deadline:
            time.sleep(0.01)
        assert asked and asked[0].startswith("online-check")
        assert not service.wait_idle(0.2), "the check is still out"
        checking = service.snapshot().current
        assert checking is not None and Reason.HEALTH_CODE_CHECKING in checking.reasons
        service.set_direction("out")  # the gate thread keeps taking commands meanwhile
        time.sleep(0.2)
        assert service.snapshot().direction == "out"
        release.set()
        assert service.wait_idle(10)
        view = service.transaction(checking.id)
        assert view is not None and Reason.HEALTH_CODE_CHECKING not in view.reasons
        assert view.reasons == (Reason.CREDENTIAL_MISSING,), "green: now who is it?"


def test_a_late_online_answer_waits_for_the_guard_who_confirms(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    sim, device = relay
    release = threading.Event()
    recorder = Recorder()

    def hung_server(code: str) -> OnlineColor:
        release.wait(10)
        return "red"  # too late to count

    clock = ManualClock(NOW)
    with service_for(
        config, store, device, clock, online=hung_server, online_timeout_s=0.2
    ) as service:
        service.add_listener(recorder)
        service.scan("https://hc.example.cn/q?t=2")
        assert service.wait_idle(5)
        view = service.snapshot().current
        assert view is not None and view.outcome == "pending" and view.needs[0] == "guard"
        assert view.reasons == (
            Reason.HEALTH_CODE_UNVERIFIED,
            Reason.GUARD_CONFIRMATION_REQUIRED,
            Reason.CREDENTIAL_MISSING,
        )
        assert view.confirmable == (Reason.HEALTH_CODE_UNVERIFIED,)
        release.set()
        service.confirm_guard(view.id)
        assert service.wait_idle(5)
        confirmed = service.transaction(view.id)
        assert confirmed is not None and confirmed.outcome == "pending"
        assert confirmed.reasons == (Reason.CREDENTIAL_MISSING,), "checked: now who is it?"
        assert confirmed.guard_confirmed == (Reason.HEALTH_CODE_UNVERIFIED,)
        service.enter_identity(approval_no="V-0001")
        assert service.wait_idle(5)
        service.reading(view.id, Reading(body_c=36.5))
        assert service.wait_idle(5)
        service.confirm_host(view.id)
        assert service.wait_idle(10)
        service.confirm_guard(view.id)  # again, after the admit: refused and logged
        assert service.wait_idle(5)
    final = service.transaction(view.id)
    assert final is not None and final.outcome == "admit" and final.relay == "pulsed"
    assert final.warnings == (Reason.GUARD_CONFIRMED,) and final.override is None
    assert len(sim.pulses()) == 1
    (refusal,) = recorder.of("refused")
    assert (refusal.action, refusal.tx_id, refusal.detail) == (
        "confirm_guard",
        view.id,
        "already admitted",
    )
    records = [r for r in store.log.records() if r.kind in ("audit", "decision")]
    assert [(r.kind, r.payload.get("event")) for r in records] == [
        ("audit", "guard_confirmed"),
        ("decision", None),
        ("audit", "confirm_guard_refused"),
    ]
    assert records[0].payload["confirmed"] == ["HEALTH_CODE_UNVERIFIED"]
    decision = records[1].payload
    assert decision["guard_confirmed"] == ["HEALTH_CODE_UNVERIFIED"]
    assert decision["online_health"] == "unreachable" and decision["override"] is None
    assert decision["warnings"] == ["GUARD_CONFIRMED"] and decision["host_confirmed_by_guard"]


def test_a_verifier_that_fails_is_a_refusal_not_a_guard_question(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    def broken(code: str) -> OnlineColor:
        raise RuntimeError("verifier bug")

    recorder = Recorder()
    with service_for(
        config, store, relay[1], ManualClock(NOW), online=broken, online_timeout_s=2.0
    ) as service:
        service.add_listener(recorder)
        service.scan("https://hc.example.cn/q?t=3")
        assert service.wait_idle(5)
        view = service.snapshot().last
        assert view is not None and view.outcome == "reject"
        assert view.reasons == (Reason.HEALTH_CODE_UNVERIFIED,) and view.confirmable == ()
        service.confirm_guard(view.id)
        assert service.wait_idle(5)
    (refusal,) = recorder.of("refused")
    assert refusal.action == "confirm_guard" and "only an override" in refusal.detail
    assert service.transaction(view.id).outcome == "reject"  # type: ignore[union-attr]
    (decision,) = [r.payload for r in store.log.records() if r.kind == "decision"]
    assert decision["online_health"] == "invalid"


@pytest.fixture
def thermometer(config: KioskConfig) -> Iterator[tuple[ThermometerReadings, ThermometerDevice]]:
    readings = ThermometerReadings.of(config, ManualClock(NOW))
    settings = dataclasses.replace(config.settings.thermometer, port="sim:normal")
    device = start_thermometer(settings, POLICY.temperature, listener=readings)
    readings.attach(device)
    assert device.wait_for_state(DeviceState.READY, timeout_s=10)
    yield readings, device
    device.stop()


def test_the_service_measures_whoever_is_in_front_of_the_gate(
    config: KioskConfig,
    store: Store,
    relay: tuple[RelaySimulator, RelayDevice],
    thermometer: tuple[ThermometerReadings, ThermometerDevice],
) -> None:
    readings, device = thermometer
    sim = device.simulator
    assert isinstance(sim, ThermometerSimulator)
    sim.profile = dataclasses.replace(sim.profile, object_c=35.6)
    clock = readings.clock
    assert isinstance(clock, ManualClock)
    recorder = Recorder()
    service = build_service(
        config,
        POLICY,
        store,
        clock=clock,
        turnstile=RelayTurnstile(relay[1], PULSE_MS),
        thermometer=readings,
    )
    with service:
        service.add_listener(recorder)
        # A is being measured when B scans: A's reading must not count for B.
        service.scan(campus_pass("S2020001", clock))
        time.sleep(0.1)
        service.enter_identity(person_no="T1001", source="wedge")
        assert service.wait_idle(20)
    first, second = (v for v in recorder.of("decision"))
    assert first.outcome == "reject" and Reason.SUPERSEDED in first.reasons
    assert first.readings == ()
    assert second.outcome == "admit" and second.identified_by == ("wedge",)
    (reading,) = second.readings
    assert reading.taken_from is not None and reading.taken_from >= second.started_at
    assert reading.body_c is not None and 36.0 < reading.body_c < 37.0
    (discarded,) = [r for r in recorder.of("refused") if r.action == "reading"]
    assert discarded.tx_id == first.id


def test_stopping_finishes_the_pulse_in_flight_and_logs_it(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    sim, device = relay
    clock = ManualClock(NOW)
    service = service_for(config, store, device, clock).start()
    service.enter_identity(person_no="T1001", source="idcard")
    assert service.wait_idle(10)
    view = service.snapshot().current
    assert view is not None
    service.reading(view.id, Reading(body_c=36.6))
    service.stop()
    assert len(sim.pulses()) == 1
    events = [(r.kind, r.payload.get("event")) for r in store.log.records()]
    assert events == [("decision", None), ("device", "relay_pulsed")]
    decision = next(r.payload for r in store.log.records() if r.kind == "decision")
    assert decision["identified_by"] == ["idcard"]


def test_a_listener_that_raises_never_stops_the_gate(
    config: KioskConfig, store: Store, relay: tuple[RelaySimulator, RelayDevice]
) -> None:
    class Broken(ServiceListener):
        def on_transaction(self, view: TransactionView) -> None:
            raise RuntimeError("screen bug")

    clock = ManualClock(NOW)
    recorder = Recorder()
    with service_for(config, store, relay[1], clock) as service:
        service.add_listener(Broken())
        service.add_listener(recorder)
        for person_no in ("S2020001", "T1001"):
            service.enter_identity(person_no=person_no)
            assert service.wait_idle(10)
            view = service.snapshot().current
            assert view is not None
            service.reading(view.id, Reading(body_c=36.5))
            assert service.wait_idle(10)
    assert [v.outcome for v in recorder.of("decision")] == ["admit", "admit"]
    assert [v.relay for v in recorder.of("relay")] == ["pulsed", "pulsed"]
