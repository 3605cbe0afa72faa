"""The guard's fallback for URL health codes against the real central server on loopback: a red
answer refuses (the guard cannot confirm it away); a server that cannot be reached leaves the
person waiting for the guard, whose confirmation admits, and the log says so."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.relay.device import RelayDevice
from drivers.relay.simulator import RelaySimulator
from kiosk.core.clock import SystemClock
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import BreakRules, load_policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import Person, RegistrySnapshot, VisitApproval
from kiosk.runtime import RelayTurnstile, build_service
from kiosk.service import GateService, Refusal, ServiceListener
from kiosk.sync.online import OnlineCheck
from tests.support.central_server import CentralServer
from tests.support.sync_checks import admin_json
from tests.sync.conftest import Gate

ROOT = Path(__file__).resolve().parents[2]
RED = "https://hc.example.gov.cn/healthcode?t=red-1"
GREEN = "https://hc.example.gov.cn/healthcode?t=green-1"

pytestmark = pytest.mark.timeout(120)


class Refusals(ServiceListener):
    def __init__(self) -> None:
        self.seen: list[Refusal] = []

    def on_refused(self, refusal: Refusal) -> None:
        self.seen.append(refusal)


@pytest.fixture
def relay() -> Iterator[RelaySimulator]:
    sim = RelaySimulator("modbus-coil", "normal")
    sim.start()
    yield sim
    sim.close()


def _service(gate: Gate, sim: RelaySimulator) -> tuple[GateService, RelayDevice]:
    policy = load_policy(ROOT / "config" / "policy.toml")
    policy = dataclasses.replace(policy, break_=BreakRules(start=None, end=None))
    device = RelayDevice(sim.port, "modbus-coil", 1, reply_timeout_s=0.3)
    device.initialise()
    service = build_service(
        gate.config, policy, gate.store, clock=SystemClock(), turnstile=RelayTurnstile(device, 100)
    )
    service.use_online(OnlineCheck(gate.worker.client, timeout_s=1.5), 1.5)  # as start_sync
    return service, device


def test_red_refuses_and_an_unreachable_server_waits_for_the_guard(
    central: CentralServer, gate: Gate, relay: RelaySimulator
) -> None:
    now = dt.datetime.now(ZoneInfo(gate.config.settings.gate.time_zone))
    visit = VisitApproval(
        "V-0001",
        "王*",
        "ab" * 32,
        "410102",
        "计算机学院",
        "T1001",
        now.date(),
        (),
        now - dt.timedelta(days=2),
        "approved",
    )  # as a CSV import writes it (the server makes approvals only by filing)
    gate.store.writer.replace(
        RegistrySnapshot(
            version="csv",
            synced_at=now,
            people=[Person("T1001", "staff", "李*", None, None, "计算机学院")],
            visit_approvals=[visit],
        )
    )
    admin_json(central, "POST", "/health-codes", {"code": RED, "color": "red"})
    admin_json(central, "POST", "/health-codes", {"code": GREEN, "color": "green"})
    refusals = Refusals()
    service, device = _service(gate, relay)
    try:
        with service:
            service.add_listener(refusals)
            service.scan(RED)
            assert service.wait_idle(10)
            red = service.snapshot().last
            assert red is not None and red.outcome == "reject"
            assert red.reasons == (Reason.HEALTH_CODE_NOT_GREEN,)
            service.confirm_guard(red.id)
            assert service.wait_idle(10)
            assert service.transaction(red.id).outcome == "reject"  # type: ignore[union-attr]

            central.stop()  # the server cannot be reached any more
            service.scan(GREEN)
            assert service.wait_idle(10)
            waiting = service.snapshot().current
            assert waiting is not None and waiting.outcome == "pending"
            assert waiting.reasons[:2] == (
                Reason.HEALTH_CODE_UNVERIFIED,
                Reason.GUARD_CONFIRMATION_REQUIRED,
            )
            service.enter_identity(approval_no="V-0001")  # the visitor's slip number
            service.reading(waiting.id, Reading(body_c=36.5, frames=3))
            assert service.wait_idle(10)
            assert service.transaction(waiting.id).needs == ("guard",)  # type: ignore[union-attr]
            service.confirm_guard(waiting.id)
            assert service.wait_idle(10)
            parked = service.snapshot().parked
            assert [v.id for v in parked] == [waiting.id], "checked: now the host collects"
            service.confirm_host(waiting.id)
            assert service.wait_idle(10)
    finally:
        device.close()
    admitted = service.transaction(waiting.id)
    assert admitted is not None and admitted.outcome == "admit" and admitted.relay == "pulsed"
    assert admitted.warnings == (Reason.GUARD_CONFIRMED,) and admitted.override is None
    assert len(relay.pulses()) == 1
    assert [(r.action, r.tx_id) for r in refusals.seen] == [("confirm_guard", red.id)]
    records = list(gate.store.log.records())
    decisions = {r.payload["transaction_id"]: r.payload for r in records if r.kind == "decision"}
    assert decisions[red.id]["online_health"] == "red"
    assert decisions[red.id]["guard_confirmed"] == []
    assert decisions[waiting.id]["online_health"] == "unreachable"
    assert decisions[waiting.id]["guard_confirmed"] == ["HEALTH_CODE_UNVERIFIED"]
    audits = [
        (r.payload["event"], r.payload["transaction_id"]) for r in records if r.kind == "audit"
    ]
    assert audits == [("confirm_guard_refused", red.id), ("guard_confirmed", waiting.id)]
