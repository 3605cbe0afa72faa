"""Composition root pieces shared by the demo, the CLI and the screen: config → store → gate
→ gate service.

The adapters here connect the pure :class:`~kiosk.core.transaction.Gate` to the world: the
decision log (which also closes a student's leave on re-entry), the turnstile relay, the
thermometer's measurements (tagged with the transaction they were taken for) and the trust
list held in the registry.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from drivers.camera import DecodeResult, ScanListener, Verifier
from drivers.device import DeviceListener, DeviceState
from drivers.idcard import IdCardReader
from drivers.relay.device import RelayDevice, RelayError
from drivers.thermometer.device import ThermometerDevice, ThermometerListener
from drivers.thermometer.frames import Frame
from drivers.thermometer.measurement import Measurement, MeasureResult
from kiosk.admin_pin import PinChecker
from kiosk.config import KioskConfig
from kiosk.core.clock import Clock
from kiosk.core.credentials.codec import decode_credential
from kiosk.core.credentials.keys import KeyRing, TrustedKey
from kiosk.core.credentials.types import CredentialError
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import Policy
from kiosk.core.transaction import Gate, GateSetup
from kiosk.devices import start_idcard_reader
from kiosk.idcard import CardsToGate
from kiosk.service import (
    GateService,
    Measurer,
    OnlineVerifier,
    ServiceListener,
    TransactionView,
    Turnstile,
)
from kiosk.store import Store
from kiosk.store.local_facts import LeaveReturn, LocalFact
from kiosk.sync.http import ServerClient
from kiosk.sync.link import client_for
from kiosk.sync.online import OnlineCheck
from kiosk.sync.status import STATUS_FILE
from kiosk.sync.worker import SyncWorker

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


def signed_code_verifier(trust: TrustList, clock: Clock) -> Verifier:
    """The camera acceptor's check that lets a valid signed credential through on its first
    frame (anything else must repeat over frames)."""

    def verifies(raw: bytes) -> bool:
        try:
            decode_credential(raw, trust(), clock.now())
        except CredentialError:
            return False
        return True

    return verifies


class CodesToGate(ScanListener):
    """The scan worker's accepted codes, handed to the gate service as camera scans."""

    def __init__(self, service: GateService) -> None:
        self.service = service

    def on_code(self, result: DecodeResult) -> None:
        self.service.scan(result.raw, "camera")


def reading_from(
    result: MeasureResult | None,
    taken_from: dt.datetime | None = None,
    taken_until: dt.datetime | None = None,
) -> Reading | None:
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
            taken_from=taken_from,
            taken_until=taken_until,
        )
    return Reading(
        body_c=None,
        frames=result.frames,
        fault=result.reason,
        taken_from=taken_from,
        taken_until=taken_until,
    )


class ThermometerReadings(ThermometerListener):
    """The service's measurement port over :meth:`ThermometerDevice.start_measurement`.

    It is the thermometer's listener: build the device with ``listener=readings``, then
    :meth:`attach` it. Every callback is passed on to ``forward`` (the screen's status, say).
    Each request remembers the transaction it was started for and the clock time its window
    opened; the device finishes requests in the order they were made, so each result is tagged
    with its request's transaction and window and handed to that request's ``report``.
    """

    def __init__(
        self,
        clock: Clock,
        window_s: float,
        min_frames: int,
        forward: ThermometerListener | None = None,
    ) -> None:
        self.clock = clock
        self.window_s = window_s
        self.min_frames = min_frames
        self.forward = forward or ThermometerListener()
        self.device: ThermometerDevice | None = None
        self._lock = threading.Lock()
        self._requests: deque[tuple[str, dt.datetime, Callable[[str, Reading], None]]] = deque()

    @classmethod
    def of(
        cls, config: KioskConfig, clock: Clock, forward: ThermometerListener | None = None
    ) -> ThermometerReadings:
        """The adapter with ``[thermometer]``'s measurement window."""
        t = config.settings.thermometer
        return cls(clock, t.window_s, t.min_frames, forward)

    def attach(self, device: ThermometerDevice) -> None:
        """Measure with ``device`` (whose listener this adapter is)."""
        self.device = device

    def start_measurement(self, tx_id: str, report: Callable[[str, Reading], None]) -> None:
        """Open a measurement window for ``tx_id``; the tagged reading goes to ``report``."""
        device = self.device
        if device is None:
            now = self.clock.now()
            report(tx_id, Reading(body_c=None, fault="no thermometer", taken_from=now))
            return
        with self._lock:
            self._requests.append((tx_id, self.clock.now(), report))
        device.start_measurement(self.window_s, self.min_frames)

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.forward.on_state(state, detail)

    def on_frame(self, frame: Frame) -> None:
        self.forward.on_frame(frame)

    def on_measurement(self, result: MeasureResult) -> None:
        with self._lock:
            request = self._requests.popleft() if self._requests else None
        if request is None:
            log.warning("thermometer result without a request dropped")
        else:
            tx_id, taken_from, report = request
            reading = reading_from(result, taken_from, self.clock.now())
            assert reading is not None
            report(tx_id, reading)
        self.forward.on_measurement(result)

    def close(self) -> None:
        """Measure no more: later requests get a fault reading at once."""
        self.device = None


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
    pin_checker: PinChecker | None = None,
) -> Gate:
    """A gate for ``config`` deciding with ``policy`` over ``store``, logging to its log.

    Hard-rule overrides are checked by ``pin_checker`` (default: ``[admin]``'s); pass the one
    the screen shows so that its lockout is the gate's.
    """
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
        admin_pin_ok=(pin_checker or admin_pin_checker(config)).check,
    )


def build_service(
    config: KioskConfig,
    policy: Policy,
    store: Store,
    *,
    clock: Clock,
    turnstile: Turnstile | None,
    thermometer: Measurer | None = None,
    online: OnlineVerifier | None = None,
    tick_interval_s: float | None = None,
    pin_checker: PinChecker | None = None,
) -> GateService:
    """The gate service over :func:`build_gate`; ``thermometer`` is usually a
    :class:`ThermometerReadings` attached to the gate's thermometer.

    Not started: call ``start()`` (or use it as a context manager).
    """
    return GateService(
        build_gate(config, policy, store, clock=clock, pin_checker=pin_checker),
        turnstile=turnstile,
        online=online,
        thermometer=thermometer,
        tick_interval_s=tick_interval_s,
    )


def idcard_to_gate(
    config: KioskConfig,
    service: GateService,
    id_key: bytes,
    states: DeviceListener | None = None,
) -> IdCardReader | None:
    """The ``[idcard]`` reader, started and feeding ``service``; None when it is disabled.

    Each card becomes its HMAC (with the campus key ``id_key``) and masked forms on the
    reader's thread, then an identity event of the transaction in progress; the reader's
    state changes go to ``states``. Raises
    :class:`~drivers.idcard.IdCardProtocolError` for an unknown protocol or simulator profile.
    """
    if not config.settings.idcard.enabled:
        return None
    cards = CardsToGate(service, id_key, states)
    return start_idcard_reader(config.settings.idcard, listener=cards)


class _WakeOnDecision(ServiceListener):
    """Uploads a decision soon after it was logged."""

    def __init__(self, worker: SyncWorker) -> None:
        self.worker = worker

    def on_decision(self, view: TransactionView) -> None:
        self.worker.wake()


def sync_worker(config: KioskConfig, store: Store, client: ServerClient) -> SyncWorker:
    """The (not started) sync worker of ``[server]``; it saves its status in the data dir."""
    s = config.settings.server
    return SyncWorker(
        client,
        store,
        interval_s=s.sync_interval_s,
        batch_size=s.batch_size,
        status_file=config.data_dir / STATUS_FILE,
    )


def start_sync(config: KioskConfig, store: Store, service: GateService) -> SyncWorker | None:
    """Start the sync worker of ``[server]`` for ``service``; None when no server is set.

    Plugs the server into the gate: online health-code checks (``server.online_timeout_s``),
    the clock check of rule R15 (skew from the server's ``Date``), an upload soon after each
    decision. Raises :class:`~kiosk.sync.link.SyncSetupError` (one line) when the gate is not
    enrolled or ``[server]`` is wrong. Stop it with ``worker.stop()`` before the service.
    """
    client = client_for(config)
    if client is None:
        return None
    s = config.settings.server
    if client.skew is not None:
        service.use_clock_check(client.skew.trusted)
    service.use_online(OnlineCheck(client, s.online_timeout_s), s.online_timeout_s)
    worker = sync_worker(config, store, client)
    service.add_listener(_WakeOnDecision(worker))
    return worker.start()
