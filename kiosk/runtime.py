"""Composition root pieces shared by the demo, the CLI and the screen: config → store → gate.

The adapters here connect the pure :class:`~kiosk.core.transaction.Gate` to the world: the
decision log (which also closes a student's leave on re-entry), the turnstile relay, the
thermometer's measurements and the trust list held in the registry.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any
from zoneinfo import ZoneInfo

from drivers.relay.device import RelayDevice, RelayError
from drivers.thermometer.measurement import Measurement, MeasureResult
from kiosk.admin_pin import PinChecker
from kiosk.config import KioskConfig
from kiosk.core.clock import Clock
from kiosk.core.credentials.keys import KeyRing, TrustedKey
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import Policy
from kiosk.core.transaction import Actuator, Gate, GateListener, GateSetup
from kiosk.store import Store
from kiosk.store.local_facts import LeaveReturn, LocalFact

log = logging.getLogger(__name__)


class LogSink:
    """Appends final decisions to the hash-chained log; the return that closes a leave is
    recorded in the same transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
        subject = payload.get("subject") or {}
        leave_id = payload.get("close_leave_id")
        facts: list[LocalFact] = []
        if kind == "decision" and payload.get("outcome") == "admit" and leave_id:
            facts.append(LeaveReturn(str(leave_id), at))
        self.store.log.append(
            kind,
            at,
            payload,
            gate=self.store.gate,
            outcome=payload.get("outcome"),
            person_no=subject.get("person_no"),
            facts=facts,
        )


class RelayTurnstile:
    """The turnstile behind a relay: a failed or refused pulse reports False, never raises."""

    def __init__(self, relay: RelayDevice, pulse_ms: int) -> None:
        self.relay = relay
        self.pulse_ms = pulse_ms

    def open_turnstile(self) -> bool:
        try:
            self.relay.pulse(self.pulse_ms)
        except (RelayError, OSError) as exc:
            log.error("turnstile not opened: %s", exc)
            return False
        return True


class TrustList:
    """The key ring built from the registry's trust keys, rebuilt when the registry changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._version: str | None = None
        self._ring = KeyRing()

    def __call__(self) -> KeyRing:
        version = self.store.registry.version
        with self._lock:
            if version != self._version:
                keys = [TrustedKey.from_record(r) for r in self.store.registry.trust_keys()]
                self._ring = KeyRing(keys)
                self._version = version
            return self._ring


def reading_from(result: MeasureResult | None) -> Reading | None:
    """The engine's view of a thermometer result: a fault is a reading without a value."""
    if result is None:
        return None
    if isinstance(result, Measurement):
        return Reading(
            body_c=result.body_c,
            raw_c=result.object_c,
            ambient_c=result.ambient_c,
            frames=result.frames,
            valid=result.valid,
        )
    return Reading(body_c=None, frames=result.frames, fault=result.reason)


def admin_pin_checker(config: KioskConfig) -> PinChecker:
    """The PIN checker of ``[admin]``; with no PIN file every PIN is refused."""
    a = config.settings.admin
    return PinChecker(config.secret_path(a.pin_file), a.max_attempts, a.lockout_s)


def build_gate(
    config: KioskConfig,
    policy: Policy,
    store: Store,
    *,
    clock: Clock,
    actuator: Actuator,
    listener: GateListener | None = None,
) -> Gate:
    """A gate for ``config`` deciding with ``policy`` over ``store``."""
    gate_cfg = config.settings.gate
    setup = GateSetup(
        gate_id=gate_cfg.id,
        direction=gate_cfg.direction,
        tz=ZoneInfo(gate_cfg.time_zone),
        city_prefix=gate_cfg.city_region_prefix,
        policy=policy,
        id_key=store.id_key,
    )
    return Gate(
        setup,
        registry=store.registry,
        keyring=TrustList(store),
        clock=clock,
        sink=LogSink(store),
        actuator=actuator,
        admin_pin_ok=admin_pin_checker(config).check,
        listener=listener,
    )
