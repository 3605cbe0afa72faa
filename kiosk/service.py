"""The gate service: one named thread ("gate") owns the :class:`~kiosk.core.transaction.Gate`.

Commands (scans, typed identity, readings, guard actions, ticks, the direction switch) go into
a queue and return at once; the gate thread applies them one by one. Listeners receive frozen
:class:`TransactionView` snapshots, never the live transaction. Slow work runs beside the gate
thread and comes back as a command: the relay pulse on the "relay" worker, the online
health-code check on "online-check" workers, measurements on the thermometer's own thread.
Nothing on the gate thread waits on a device or the network.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.core.datasets import StaleDataset
from kiosk.core.evidence import Direction, OnlineColor, Reading
from kiosk.core.identity import CardIdentity
from kiosk.core.reasons import Reason
from kiosk.core.transaction import (
    Gate,
    GateListener,
    IdentitySource,
    RelayState,
    Transaction,
)
from kiosk.core.verdict import Need, Outcome, Subject

log = logging.getLogger(__name__)

OnlineVerifier = Callable[[str], OnlineColor]
"""Asks the central server for the colour of a URL health code (blocking; run off the gate)."""
MAX_AUTO_MEASUREMENTS = 3
"""Measurements the service starts by itself per transaction; a guard retest allows more."""
RECENT_VIEWS = 64
DIRECTIONS: tuple[Direction, ...] = ("in", "out")
SOURCES: tuple[IdentitySource, ...] = ("guard", "wedge", "idcard", "camera")


class Turnstile(Protocol):
    """The turnstile relay: True when the unlock pulse was commanded (may block ~300 ms)."""

    def open_turnstile(self) -> bool: ...


class Measurer(Protocol):
    """Starts one measurement for a transaction; returns at once.

    The result goes to ``report(tx_id, reading)`` exactly once, from any thread; the reading
    carries the time its frames were taken (``taken_from`` / ``taken_until``).
    """

    def start_measurement(self, tx_id: str, report: Callable[[str, Reading], None]) -> None: ...


@dataclass(frozen=True)
class OverrideView:
    """A guard or admin override of one transaction."""

    reason: str
    by: str
    over: str


@dataclass(frozen=True)
class TransactionView:
    """A frozen picture of one transaction, safe to keep and to hand to any thread."""

    id: str
    started_at: dt.datetime
    direction: Direction
    outcome: Outcome
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    needs: tuple[Need, ...]
    subject: Subject
    readings: tuple[Reading, ...]
    escort_deadline: dt.datetime | None
    relay: RelayState
    override: OverrideView | None
    parked: bool
    closed: bool
    identified_by: tuple[IdentitySource, ...]
    id_card: CardIdentity | None
    """The last ID card read for this transaction (masked summary for the screen; its HMAC is
    what matched)."""
    host_confirmed: bool
    guard_confirmed: tuple[Reason, ...]
    """What a guard confirmed for this transaction (R15 waits, an unanswered online check)."""
    confirmable: tuple[Reason, ...]
    """What the guard's confirmation (``confirm_guard``) would resolve now."""
    fever_acknowledged: bool
    fault: str | None
    stale: tuple[StaleDataset, ...] = ()
    """R15: the datasets too old for this decision (why the guard must confirm)."""

    @classmethod
    def of(cls, tx: Transaction, gate: Gate) -> TransactionView:
        """The view of ``tx`` as ``gate`` holds it now (call on the gate thread)."""
        v, ev = tx.verdict, tx.evidence
        deadline = None
        if ev.escort_wait_since is not None and not tx.closed:
            window = dt.timedelta(minutes=gate.setup.policy.visit.escort_window_min)
            deadline = ev.escort_wait_since + window
        return cls(
            id=tx.id,
            started_at=tx.started_at,
            direction=tx.direction,
            outcome=v.outcome,
            reasons=v.reasons,
            warnings=v.warnings,
            needs=v.needs,
            subject=v.subject,
            readings=ev.readings,
            escort_deadline=deadline,
            relay=tx.relay,
            override=OverrideView(**tx.override) if tx.override else None,
            parked=tx in gate.parked,
            closed=tx.closed,
            identified_by=tuple(tx.sources),
            id_card=ev.id_cards[-1] if ev.id_cards else None,
            host_confirmed=ev.host_confirmed_by_guard,
            guard_confirmed=ev.guard_confirmed,
            confirmable=v.confirmable,
            fever_acknowledged=tx.fever_acknowledged,
            fault=tx.fault,
            stale=v.stale,
        )


@dataclass(frozen=True)
class GateSnapshot:
    """The gate at one moment: the person in front of it, parked visitors, the last decision."""

    direction: Direction
    current: TransactionView | None
    parked: tuple[TransactionView, ...]
    last: TransactionView | None


@dataclass(frozen=True)
class Refusal:
    """Something the gate refused without deciding about a person.

    ``action`` is ``scan`` (a bad code while someone is being processed), ``reading`` (a
    measurement that belonged to another transaction), ``idcard`` (a card that identifies
    nobody, such as a foreigner's permanent residence card) or a guard action (``retest``,
    ``override``, ``confirm_guard``, ``confirm_host``, ``ack_fever``).
    """

    action: str
    tx_id: str | None
    detail: str
    reason: Reason | None = None


class ServiceListener:
    """Callbacks from the gate service, on its threads; every method does nothing by default.

    A UI adapter must hand them over to its own thread. A listener that raises is logged and
    skipped; it never stops the gate.
    """

    def on_transaction(self, view: TransactionView) -> None:
        """A transaction changed (new, pending prompt, parked, final, relay answered)."""

    def on_decision(self, view: TransactionView) -> None:
        """A final decision was durably logged; for an admit the relay pulse comes after."""

    def on_relay(self, view: TransactionView) -> None:
        """The relay answered for an admitted transaction (``view.relay``: pulsed or fault)."""

    def on_refused(self, refusal: Refusal) -> None:
        """A scan, a reading or a guard action was refused."""

    def on_fault(self, view: TransactionView | None, detail: str) -> None:
        """The log could not be written: nothing was admitted."""

    def on_direction(self, direction: Direction) -> None:
        """The gate switched between entry and exit."""


class _Work:
    """Counts queued commands and jobs in flight, so callers can wait until all is done."""

    def __init__(self) -> None:
        self._count = 0
        self._cond = threading.Condition()

    def add(self) -> None:
        with self._cond:
            self._count += 1

    def done(self) -> None:
        with self._cond:
            self._count -= 1
            if self._count <= 0:
                self._count = 0
                self._cond.notify_all()

    def wait(self, timeout_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._count == 0, timeout_s)


class GateService(GateListener):
    """Owns a :class:`Gate` on the "gate" thread; every public method is thread-safe.

    ``turnstile`` is pulsed on the "relay" worker after a decision is logged and listeners
    were told; ``online`` checks URL health codes on "online-check" workers, each answer
    bounded by ``online_timeout_s`` (late or not reached: ``unreachable``, and a guard checks;
    a verifier that fails: ``invalid``); ``thermometer`` is asked
    for a measurement whenever the transaction in progress needs one.
    """

    def __init__(
        self,
        gate: Gate,
        *,
        turnstile: Turnstile | None,
        online: OnlineVerifier | None = None,
        online_timeout_s: float = 3.0,
        thermometer: Measurer | None = None,
        tick_interval_s: float | None = None,
    ) -> None:
        self._gate = gate
        self._turnstile = turnstile
        self._online = online
        self._online_timeout_s = online_timeout_s
        self._thermometer = thermometer
        self._tick_interval_s = tick_interval_s
        self._listeners: list[ServiceListener] = []
        self._listeners_lock = threading.Lock()
        self._commands: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._relay_jobs: queue.Queue[str | None] = queue.Queue()
        self._work = _Work()
        self._snapshot_lock = threading.Lock()
        self._snapshot = GateSnapshot(gate.setup.direction, None, (), None)
        self._views: dict[str, TransactionView] = {}
        self._measuring: str | None = None
        self._auto_measured: dict[str, int] = {}
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._executor: ThreadPoolExecutor | None = None
        gate.listener = self
        gate.pulses = self if turnstile is not None else None
        gate.online = self if online is not None else None

    # ------------------------------------------------------------- lifecycle
    def start(self) -> GateService:
        """Start the gate thread and its workers (returns at once)."""
        if self._threads:
            return self
        self._stop.clear()
        if self._online is not None:
            self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="online-check")
        targets: list[tuple[str, Callable[[], None]]] = [
            ("gate", self._run_gate),
            ("relay", self._run_relay),
        ]
        if self._tick_interval_s:
            targets.append(("gate-ticker", self._run_ticker))
        for name, target in targets:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish queued commands, pulses and checks (up to ``timeout_s``), then stop."""
        if not self._threads:
            return
        self._stop.set()
        by_name = {t.name: t for t in self._threads}
        if "gate-ticker" in by_name:
            by_name["gate-ticker"].join(timeout_s)
        # Queued commands, pulses and their results are finished and logged first.
        if not self._work.wait(timeout_s):
            log.warning("gate service stopped with work still in flight")
        self._relay_jobs.put(None)
        by_name["relay"].join(timeout_s)
        self._commands.put(None)
        by_name["gate"].join(timeout_s)
        self._threads.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def use_online(self, online: OnlineVerifier, timeout_s: float) -> None:
        """Check URL health codes with ``online`` from now on, each bounded by ``timeout_s``
        (the sync link plugs the central server in here)."""

        def attach() -> None:
            self._online, self._online_timeout_s = online, timeout_s
            self._gate.online = self

        self._post(attach)

    def use_clock_check(self, trusted: Callable[[], bool]) -> None:
        """Ask ``trusted`` whether the clock may be trusted before each decision (R15)."""

        def attach() -> None:
            self._gate.clock_trusted = trusted

        self._post(attach)

    def __enter__(self) -> GateService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_listener(self, listener: ServiceListener) -> None:
        """Receive callbacks (on the service's threads)."""
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: ServiceListener) -> None:
        """Stop receiving callbacks."""
        with self._listeners_lock:
            self._listeners.remove(listener)

    # -------------------------------------------------------------- commands
    def scan(self, text: str | bytes, source: IdentitySource = "camera") -> None:
        """A code read by the camera (or a keyboard wedge: ``source="wedge"``)."""
        _check_source(source)
        self._post(lambda: self._gate.present_text(text, source))

    def enter_identity(
        self,
        *,
        id_number: str | None = None,
        person_no: str | None = None,
        approval_no: str | None = None,
        source: IdentitySource = "guard",
    ) -> None:
        """An ID number, person number or approval number typed, wedged or read from an ID
        card; ``source`` is recorded in the log."""
        _check_source(source)
        self._post(
            lambda: self._gate.present_manual(
                id_number=id_number, person_no=person_no, approval_no=approval_no, source=source
            )
        )

    def enter_plate(self, plate: str, source: IdentitySource = "guard") -> None:
        """A vehicle's number plate typed by the guard or a wedge device (vehicle lane, R16):
        admitted only when on the campus vehicle list or today's approved visit for this gate."""
        _check_source(source)
        self._post(lambda: self._gate.present_plate(plate, source))

    def present_card(self, card: CardIdentity) -> None:
        """An ID card read at the gate, as its HMAC and masked forms (source ``idcard``)."""
        self._post(lambda: self._gate.present_card(card))

    def card_refused(self, detail: str) -> None:
        """A card was read but identifies nobody (unsupported document, unreadable data)."""

        def refuse() -> None:
            current = self._gate.current
            tx_id = current.id if current is not None and not current.closed else None
            log.info("ID card refused: %s", detail)
            self._emit("on_refused", Refusal("idcard", tx_id, detail))

        self._post(refuse)

    def reading(self, tx_id: str, reading: Reading | None) -> None:
        """A measurement taken for ``tx_id`` (None: thermometer offline)."""
        self._post(lambda: self._apply_reading(tx_id, reading))

    def retest(self, tx_id: str) -> None:
        """Guard: measure ``tx_id`` again (drops a faulty or implausible last reading)."""
        self._post(lambda: self._retest(tx_id))

    def override(self, tx_id: str, reason: str, pin: str | None = None) -> None:
        """Guard: admit ``tx_id`` with a configured reason (hard rules need the admin PIN)."""
        self._post(lambda: self._gate.override(tx_id, reason, pin))

    def confirm_guard(self, tx_id: str) -> None:
        """Guard: checked what the kiosk could not (stale data, untrusted clock, a code the
        server could not be asked about) and confirms ``tx_id``; never resolves a reject."""
        self._post(lambda: self._gate.confirm_guard(tx_id))

    def confirm_host(self, tx_id: str) -> None:
        """Guard: the host confirmed the parked visitor ``tx_id`` by phone (R6, logged)."""
        self._post(lambda: self._gate.confirm_host(tx_id))

    def ack_fever(self, tx_id: str) -> None:
        """Guard: the fever alert of ``tx_id`` was seen and handled (audit event)."""
        self._post(lambda: self._gate.ack_fever(tx_id))

    def set_direction(self, direction: Direction) -> None:
        """Switch between entry and exit for transactions that start afterwards (logged)."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'in' or 'out', not {direction!r}")
        self._post(lambda: self._set_direction(direction))

    def tick(self) -> None:
        """Let time pass (escort windows, pending timeouts)."""
        self._post(self._gate.tick)

    # ------------------------------------------------------------- observing
    def snapshot(self) -> GateSnapshot:
        """The gate as of the last command applied."""
        with self._snapshot_lock:
            return self._snapshot

    def transaction(self, tx_id: str) -> TransactionView | None:
        """The latest view of a recent transaction."""
        with self._snapshot_lock:
            return self._views.get(tx_id)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until every queued command, relay pulse, online check and measurement is
        done; False on timeout. For the demo, the scenario runner and tests."""
        return self._work.wait(timeout_s)

    # ------------------------------------------------- requests from the gate
    def request_pulse(self, tx_id: str) -> None:
        """Gate → relay worker (called on the gate thread)."""
        self._work.add()
        self._relay_jobs.put(tx_id)

    def request_check(self, tx_id: str, text: str) -> None:
        """Gate → online-check worker (called on the gate thread)."""
        if self._online is not None and self._executor is None and not self._stop.is_set():
            self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="online-check")
        online, executor = self._online, self._executor
        if online is None or executor is None:
            self._post(lambda: self._gate.online_result(tx_id, "unreachable"))
            return
        self._work.add()
        answered: list[bool] = []
        once = threading.Lock()

        def answer(color: OnlineColor) -> None:
            with once:
                if answered:
                    return
                answered.append(True)
            timer.cancel()
            if color == "unreachable" and not future.done():
                log.warning("online health-code check timed out after %s s", self._online_timeout_s)
            self._post(lambda: self._gate.online_result(tx_id, color))
            self._work.done()

        def finished(done: Future[OnlineColor]) -> None:
            try:
                answer(done.result())
            except Exception as exc:  # noqa: BLE001 - a broken verifier: no usable answer
                log.warning("online health-code check failed: %s", exc)
                answer("invalid")

        timer = threading.Timer(self._online_timeout_s, answer, args=("unreachable",))
        timer.name = "online-timeout"
        timer.daemon = True
        future: Future[OnlineColor] = executor.submit(online, text)
        timer.start()
        future.add_done_callback(finished)

    # ------------------------------------------------- gate listener (gate thread)
    def on_update(self, tx: Transaction) -> None:
        self._emit("on_transaction", self._view(tx))

    def on_final(self, tx: Transaction) -> None:
        view = self._view(tx)
        self._emit("on_transaction", view)
        self._emit("on_decision", view)

    def on_relay(self, tx: Transaction) -> None:
        view = self._view(tx)
        self._emit("on_transaction", view)
        self._emit("on_relay", view)

    def on_scan_refused(self, reason: Reason, detail: str) -> None:
        current = self._gate.current
        self._emit("on_refused", Refusal("scan", current.id if current else None, detail, reason))

    def on_action_refused(self, tx_id: str, action: str, detail: str) -> None:
        self._emit("on_refused", Refusal(action, tx_id, detail))

    def on_reading_discarded(self, tx_id: str, detail: str) -> None:
        self._emit("on_refused", Refusal("reading", tx_id, detail))

    def on_fault(self, tx: Transaction | None, detail: str) -> None:
        self._emit("on_fault", self._view(tx) if tx is not None else None, detail)

    # -------------------------------------------------------------- internals
    def _post(self, command: Callable[[], Any]) -> None:
        self._work.add()
        self._commands.put(command)

    def _run_gate(self) -> None:
        while True:
            command = self._commands.get()
            if command is None:
                return
            try:
                command()
                self._measure_if_needed()
            except Exception:  # noqa: BLE001 - one bad command must not stop the gate
                log.exception("gate command failed")
            finally:
                self._publish()
                self._work.done()

    def _run_relay(self) -> None:
        while True:
            tx_id = self._relay_jobs.get()
            if tx_id is None:
                return
            ok, detail = False, ""
            try:
                assert self._turnstile is not None
                ok = bool(self._turnstile.open_turnstile())
                detail = "" if ok else "the relay did not confirm the pulse"
            except Exception as exc:  # noqa: BLE001 - a relay fault is reported, never raised
                log.exception("turnstile relay failed")
                detail = str(exc) or type(exc).__name__
            self._post(functools.partial(self._gate.relay_result, tx_id, ok, detail))
            self._work.done()

    def _run_ticker(self) -> None:
        assert self._tick_interval_s is not None
        while not self._stop.wait(self._tick_interval_s):
            self.tick()

    def _apply_reading(self, tx_id: str, reading: Reading | None) -> None:
        if self._measuring == tx_id:
            self._measuring = None
        self._gate.temperature(tx_id, reading)

    def _retest(self, tx_id: str) -> None:
        tx = self._gate.retest(tx_id)
        if tx is not None and not tx.closed:
            self._auto_measured.pop(tx_id, None)

    def _set_direction(self, direction: Direction) -> None:
        before = self._gate.setup.direction
        self._gate.set_direction(direction)
        if direction != before:
            self._emit("on_direction", direction)

    def _measure_if_needed(self) -> None:
        """Ask the thermometer when the transaction in progress needs a (re)measurement."""
        tx = self._gate.current
        if self._thermometer is None or self._measuring is not None:
            return
        if tx is None or tx.closed or not {"temperature", "retest"} & set(tx.verdict.needs):
            return
        count = self._auto_measured.get(tx.id, 0)
        if count >= MAX_AUTO_MEASUREMENTS:
            return
        self._auto_measured[tx.id] = count + 1
        if len(self._auto_measured) > RECENT_VIEWS:
            self._auto_measured.pop(next(iter(self._auto_measured)))
        self._measuring = tx.id
        self._work.add()
        try:
            self._thermometer.start_measurement(tx.id, self._measured)
        except Exception:  # noqa: BLE001 - the thermometer adapter failed: offline reading
            log.exception("measurement could not be started")
            self._measured(tx.id, Reading(body_c=None, fault="measurement not started"))

    def _measured(self, tx_id: str, reading: Reading) -> None:
        """From the thermometer's thread: route the tagged result back to the gate thread."""
        self.reading(tx_id, reading)
        self._work.done()

    def _view(self, tx: Transaction) -> TransactionView:
        view = TransactionView.of(tx, self._gate)
        with self._snapshot_lock:
            self._views[tx.id] = view
            if len(self._views) > RECENT_VIEWS:
                self._views.pop(next(iter(self._views)))
        return view

    def _publish(self) -> None:
        g = self._gate
        current = g.current if g.current is not None and not g.current.closed else None
        snapshot = GateSnapshot(
            direction=g.setup.direction,
            current=self._view(current) if current else None,
            parked=tuple(self._view(tx) for tx in g.parked),
            last=self._view(g.last) if g.last else None,
        )
        with self._snapshot_lock:
            self._snapshot = snapshot

    def _emit(self, method: str, *args: Any) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                getattr(listener, method)(*args)
            except Exception:  # noqa: BLE001 - a listener bug must not stop the gate
                log.exception("service listener %s failed", method)


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise ValueError(f"identity source must be one of {', '.join(SOURCES)}, not {source!r}")


__all__ = [
    "DIRECTIONS",
    "GateService",
    "GateSnapshot",
    "Measurer",
    "OnlineVerifier",
    "OverrideView",
    "Refusal",
    "ServiceListener",
    "TransactionView",
    "Turnstile",
]
