"""The gate transaction: identify → measure → decide → act → log, as an event-driven machine.

:class:`Gate` receives events (a scanned string, typed input, a temperature reading, a guard
action, a clock tick), keeps the evidence of the transaction in progress, asks the policy engine
for a verdict after every event and, when the verdict is final, logs it, tells its listener and
only then asks for the turnstile pulse. Every reading and guard action names the transaction it
belongs to. Visitors waiting for their host are parked so the queue behind them keeps moving; a
host's campus pass scanned later pairs with them (R6).

It is Qt-free and single-threaded by contract: :class:`kiosk.service.GateService` owns it on one
thread and feeds it commands, relay results and online answers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from kiosk.core.clock import Clock
from kiosk.core.credentials.codec import decode_credential
from kiosk.core.credentials.keys import KeyRing
from kiosk.core.credentials.replay import ReplayGuard
from kiosk.core.credentials.transport import MAX_TEXT_CHARS, looks_signed
from kiosk.core.credentials.types import CampusPass, CredentialError, HealthCode, VisitSlip
from kiosk.core.datasets import DatasetTimes
from kiosk.core.evidence import Direction, Escort, Evidence, GateContext, OnlineColor, Reading
from kiosk.core.identifiers import (
    IdentifierError,
    check_approval_no,
    check_id_number,
    check_person_no,
)
from kiosk.core.identity import CardIdentity, id_hmac
from kiosk.core.plates import PlateError, normalise_plate
from kiosk.core.policy import decide
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import RegistryView
from kiosk.core.rules.visitor import hosts_visitor
from kiosk.core.verdict import Verdict

log = logging.getLogger(__name__)


IdentitySource = Literal["guard", "wedge", "idcard", "camera"]
"""How a person was identified: typed by the guard, a keyboard wedge, the ID card reader, the
camera."""
RelayState = Literal["idle", "pending", "pulsed", "fault"]
RECENT_TRANSACTIONS = 64
"""How many transactions stay addressable by id for guard actions (override of a reject)."""


class PulseRequester(Protocol):
    """Asks for the turnstile's unlock pulse; returns at once. The result comes back through
    :meth:`Gate.relay_result`."""

    def request_pulse(self, tx_id: str) -> None: ...


class OnlineRequester(Protocol):
    """Asks the central server about a URL health code; returns at once. The answer comes back
    through :meth:`Gate.online_result`."""

    def request_check(self, tx_id: str, text: str) -> None: ...


class DecisionSink(Protocol):
    """Where final decisions go (the tamper-evident log)."""

    def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None: ...


class GateListener:
    """Callbacks from the gate; every method does nothing by default."""

    def on_update(self, tx: Transaction) -> None:
        """A transaction changed without reaching a final decision (prompts, parked visitors)."""

    def on_final(self, tx: Transaction) -> None:
        """A transaction reached admit or reject and was logged (the relay pulse follows)."""

    def on_relay(self, tx: Transaction) -> None:
        """The relay answered for an admitted transaction (``tx.relay`` is pulsed or fault)."""

    def on_scan_refused(self, reason: Reason, detail: str) -> None:
        """A scanned code was refused while another transaction was in progress."""

    def on_action_refused(self, tx_id: str, action: str, detail: str) -> None:
        """A guard action (retest, override, confirm_guard, confirm_host, ack_fever) was
        refused."""

    def on_reading_discarded(self, tx_id: str, detail: str) -> None:
        """A reading did not belong to the transaction in progress and was dropped."""

    def on_fault(self, tx: Transaction | None, detail: str) -> None:
        """The log could not be written: nothing was admitted."""


@dataclass
class Transaction:
    """One pass through the gate."""

    id: str
    started_at: dt.datetime
    direction: Direction
    evidence: Evidence
    verdict: Verdict
    last_activity: dt.datetime
    relay: RelayState = "idle"
    override: dict[str, str] | None = None
    sources: list[IdentitySource] = field(default_factory=list)
    fever_acknowledged: bool = False
    fault: str | None = None

    @property
    def closed(self) -> bool:
        return self.verdict.final


@dataclass(frozen=True)
class GateSetup:
    """Who and where the gate is, and what it decides with."""

    gate_id: str
    direction: Direction
    tz: ZoneInfo
    city_prefix: str
    policy: Policy
    id_key: bytes


class Gate:
    """The transaction state machine of one kiosk.

    The relay pulse and the online health-code check are requested through ``pulses`` and
    ``online`` (both return at once); their answers come back as :meth:`relay_result` and
    :meth:`online_result`. Without ``pulses`` an admit is reported as a relay fault.
    """

    def __init__(
        self,
        setup: GateSetup,
        *,
        registry: RegistryView,
        keyring: Callable[[], KeyRing],
        clock: Clock,
        sink: DecisionSink,
        pulses: PulseRequester | None = None,
        replay: ReplayGuard | None = None,
        online: OnlineRequester | None = None,
        admin_pin_ok: Callable[[str], bool] = lambda pin: False,
        data_as_of: Callable[[], DatasetTimes] | None = None,
        clock_trusted: Callable[[], bool] = lambda: True,
        listener: GateListener | None = None,
    ) -> None:
        self.setup = setup
        self.registry = registry
        self._keyring = keyring
        self.clock = clock
        self.sink = sink
        self.pulses = pulses
        self.replay = replay or ReplayGuard()
        self.online = online
        self._admin_pin_ok = admin_pin_ok
        self._data_as_of = data_as_of or (lambda: registry.data_as_of)
        self.clock_trusted = clock_trusted
        """Whether the clock may be trusted now (R15); the sync link sets it from the server's
        ``Date``."""
        self.listener = listener or GateListener()
        self.current: Transaction | None = None
        self.parked: list[Transaction] = []
        self.last: Transaction | None = None
        self._recent: OrderedDict[str, Transaction] = OrderedDict()
        self._patterns = [re.compile(p) for p in setup.policy.health_code.online_patterns]

    # ----------------------------------------------------------------- events
    def present_text(self, scanned: str | bytes, source: IdentitySource = "camera") -> Transaction:
        """A string the camera, a keyboard wedge or the guard produced."""
        now = self.clock.now()
        text = _as_text(scanned)
        if text is None or not text.strip():
            return self._failure(Reason.CODE_UNREADABLE, "empty or binary code", now)
        text = text.strip()
        if len(text) > MAX_TEXT_CHARS:
            return self._failure(Reason.CODE_UNREADABLE, "code too long", now)
        if looks_signed(text):
            try:
                cred = decode_credential(
                    text, self._keyring(), now, self.setup.policy.credentials.clock_skew_s
                )
            except CredentialError as exc:
                return self._failure(exc.reason, exc.detail, now)
            if isinstance(cred, HealthCode):
                return self._present_health_code(cred, now, source)
            if isinstance(cred, CampusPass):
                return self._present_pass(cred, now, source)
            return self._present_slip(cred, now, source)
        if any(p.search(text) for p in self._patterns):
            return self._present_online(text, now, source)
        return self._failure(Reason.CODE_UNSUPPORTED, "not a code this gate accepts", now)

    def present_manual(
        self,
        *,
        id_number: str | None = None,
        person_no: str | None = None,
        approval_no: str | None = None,
        source: IdentitySource = "guard",
    ) -> Transaction:
        """Identity entered without a signed code (typed, wedge, ID card): no claims with it.

        Surrounding spaces are dropped; an identifier no campus issues (see
        :mod:`kiosk.core.identifiers`) is refused like an unreadable code and never logged.
        """
        now = self.clock.now()
        try:
            id_number = check_id_number(id_number.strip()) if id_number else None
            person_no = check_person_no(person_no.strip()) if person_no else None
            approval_no = check_approval_no(approval_no.strip()) if approval_no else None
        except IdentifierError as exc:
            return self._failure(Reason.CREDENTIAL_MALFORMED, f"typed {exc.kind} refused", now)
        if id_number:
            hmac_ = id_hmac(self.setup.id_key, id_number)
            return self._add(now, ("id", hmac_), None, source, manual_id_hmac=hmac_)
        if person_no:
            return self._add(now, ("person", person_no), None, source, manual_person_no=person_no)
        if approval_no:
            return self._add(
                now, ("approval", approval_no), None, source, manual_approval_no=approval_no
            )
        return self._failure(Reason.CREDENTIAL_MISSING, "nothing entered", now)

    def present_plate(self, plate: str, source: IdentitySource = "guard") -> Transaction:
        """A vehicle's number plate typed by the guard or a wedge device (vehicle lane, R16).

        The plate is normalised (:mod:`kiosk.core.plates`); text that is no plate is refused
        with ``PLATE_INVALID``.
        """
        now = self.clock.now()
        try:
            plate = normalise_plate(plate)
        except PlateError as exc:
            return self._failure(Reason.PLATE_INVALID, str(exc), now)
        return self._add(now, ("plate", plate), "PLATE", source, plate=plate)

    def present_card(self, card: CardIdentity) -> Transaction:
        """An ID card read at the gate (already reduced to its HMAC and masked forms).

        It belongs to the person whose transaction is in progress: a card of someone else is
        judged there (``ID_CARD_HOLDER_MISMATCH``), never taken as the next person in the
        queue. With no transaction in progress it starts one, like a typed ID number.
        """
        now = self.clock.now()
        if card.id_hmac is None:
            return self._failure(Reason.CODE_UNREADABLE, "ID card read without its HMAC", now)
        tx = self.current
        if tx is None or tx.closed or not tx.evidence.identified:
            tx = self._target(now, ("id", card.id_hmac))
        cards = tx.evidence.id_cards
        if card not in cards:
            cards = (*cards, card)
        return self._put(tx, now, "IDCARD", "idcard", id_cards=cards)

    def temperature(self, tx_id: str, reading: Reading | None) -> Transaction | None:
        """A measurement taken for transaction ``tx_id`` (``None``: the thermometer is offline).

        It counts only if ``tx_id`` is the transaction in progress and its frames were taken
        after that transaction started; otherwise it is discarded (None is returned) and the
        person is measured again.
        """
        now = self.clock.now()
        tx = self.current
        if tx is None or tx.closed or tx.id != tx_id:
            self._discard(tx_id, "the transaction it was taken for is no longer in progress")
            return None
        value = reading or Reading(body_c=None, fault="thermometer offline")
        if value.taken_from is not None and value.taken_from < tx.started_at:
            self._discard(tx_id, "its frames were taken before this person's transaction began")
            return None
        tx.evidence = _merge(tx.evidence, readings=(*tx.evidence.readings, value))
        return self._evaluate(tx, now)

    def online_result(self, tx_id: str, color: OnlineColor) -> Transaction | None:
        """The online check's answer for the URL code of ``tx_id``."""
        tx = self._recent.get(tx_id)
        if tx is None or tx.closed or tx.evidence.online_health != "checking":
            log.info("online answer for %s arrived after its transaction ended", tx_id)
            return None
        tx.evidence = _merge(tx.evidence, online_health=color)
        return self._evaluate(tx, self.clock.now())

    def relay_result(self, tx_id: str, ok: bool, detail: str = "") -> Transaction | None:
        """The relay worker's answer for an admitted transaction; logged as a device event."""
        now = self.clock.now()
        tx = self._recent.get(tx_id)
        payload: dict[str, Any] = {
            "transaction_id": tx_id,
            "event": "relay_pulsed" if ok else "relay_fault",
            "gate": self.setup.gate_id,
        }
        if detail:
            payload["detail"] = detail
        try:
            self.sink.record("device", now, payload)
        except Exception as exc:  # noqa: BLE001 - the pulse already happened or failed
            log.exception("relay result for %s not logged", tx_id)
            self.listener.on_fault(tx, f"relay result not logged: {exc}")
        if tx is None:
            return None
        tx.relay = "pulsed" if ok else "fault"
        self.listener.on_relay(tx)
        return tx

    def tick(self) -> None:
        """Let time pass: escort windows and pending timeouts expire."""
        now = self.clock.now()
        for waiting in list(self.parked):
            self._evaluate(waiting, now, touch=False)
        tx = self.current
        if tx is None or tx.closed:
            return
        self._evaluate(tx, now, touch=False)
        if tx.closed:
            return
        timeout = dt.timedelta(seconds=self.setup.policy.transaction.pending_timeout_s)
        if now - tx.last_activity > timeout:
            reasons = (*tx.verdict.reasons, Reason.TIMEOUT)
            self._finish(
                tx,
                dataclasses.replace(tx.verdict, outcome="reject", reasons=reasons, needs=()),
                now,
            )

    def set_direction(self, direction: Direction) -> None:
        """Switch the gate between entry and exit; transactions started later use it (logged)."""
        before = self.setup.direction
        if direction == before:
            return
        self.setup = dataclasses.replace(self.setup, direction=direction)
        self._audit("direction_changed", None, {"from": before, "to": direction}, self.clock.now())

    def retest(self, tx_id: str) -> Transaction | None:
        """Guard asks for another measurement: drop a faulty or implausible last reading."""
        now = self.clock.now()
        tx = self._recent.get(tx_id)
        if tx is None:
            return self._refuse_action(tx_id, "retest", "unknown or expired transaction", now)
        if tx.verdict.outcome == "admit":
            return self._refuse_action(tx_id, "retest", "already admitted", now)
        if Reason.FEVER in tx.verdict.reasons:
            return self._refuse_action(tx_id, "retest", "a confirmed fever is not retested", now)
        other = self.current
        if tx.closed and other is not None and other is not tx and not other.closed:
            return self._refuse_action(tx_id, "retest", "another person is at the gate", now)
        self._audit("retest_requested", tx_id, {}, now)
        readings = tx.evidence.readings
        t = self.setup.policy.temperature
        if readings and (
            readings[-1].body_c is None or not t.valid_min_c <= readings[-1].body_c <= t.valid_max_c
        ):
            readings = readings[:-1]
        tx.evidence = _merge(tx.evidence, readings=readings)
        if tx.closed and tx not in self.parked:
            self.current = tx
        tx.verdict = dataclasses.replace(tx.verdict, outcome="pending")
        return self._evaluate(tx, now)

    def override(self, tx_id: str, reason: str, pin: str | None = None) -> Transaction | None:
        """Guard admits a refused or pending person with a configured reason (hard rules: PIN)."""
        now = self.clock.now()
        tx = self._recent.get(tx_id)
        rules = self.setup.policy.override
        if tx is None:
            return self._refuse_action(tx_id, "override", "unknown or expired transaction", now)
        if tx.verdict.outcome == "admit":
            return self._refuse_action(tx_id, "override", "already admitted", now)
        if reason not in rules.reasons:
            return self._refuse_action(
                tx_id, "override", f"unknown override reason {reason}", now, reason=reason
            )
        hard = [r for r in tx.verdict.reasons if r in rules.hard_rules]
        by = "guard"
        if hard:
            if pin is None or not self._admin_pin_ok(pin):
                detail = f"admin PIN {'wrong' if pin else 'required'} for {', '.join(hard)}"
                return self._refuse_action(tx_id, "override", detail, now, reason=reason)
            by = "admin"
        tx.override = {"reason": reason, "by": by, "over": ",".join(tx.verdict.reasons)}
        verdict = dataclasses.replace(
            tx.verdict,
            outcome="admit",
            needs=(),
            warnings=(*tx.verdict.warnings, Reason.OVERRIDDEN),
        )
        self._finish(tx, verdict, now)
        return tx

    def confirm_host(self, tx_id: str) -> Transaction | None:
        """The guard confirmed the host by phone: R6 is satisfied for this parked visitor."""
        now = self.clock.now()
        tx = self._recent.get(tx_id)
        if tx is None:
            return self._refuse_action(tx_id, "confirm_host", "unknown or expired transaction", now)
        if tx not in self.parked or tx.closed:
            return self._refuse_action(
                tx_id, "confirm_host", "not a visitor waiting for the host", now
            )
        tx.evidence = _merge(tx.evidence, host_confirmed_by_guard=True)
        return self._evaluate(tx, now)

    def confirm_guard(self, tx_id: str) -> Transaction | None:
        """The guard checked what the kiosk could not (stale data, untrusted clock, a health
        code the server could not be asked about) and confirms it.

        It resolves only ``guard`` waits, never a reject: a red code, a fever or a quarantine
        still needs an override with a reason. Logged first as a ``guard_confirmed`` audit
        record; the decision then carries ``guard_confirmed`` and the ``GUARD_CONFIRMED``
        warning.
        """
        now = self.clock.now()
        tx = self._recent.get(tx_id)
        action = "confirm_guard"
        if tx is None:
            return self._refuse_action(tx_id, action, "unknown or expired transaction", now)
        if tx.verdict.outcome == "admit":
            return self._refuse_action(tx_id, action, "already admitted", now)
        if tx.closed:
            over = ", ".join(tx.verdict.reasons)
            detail = f"refused ({over}): only an override with a reason can admit"
            return self._refuse_action(tx_id, action, detail, now)
        confirmable = tx.verdict.confirmable
        if not confirmable:
            detail = "nothing waits for a guard's confirmation"
            return self._refuse_action(tx_id, action, detail, now)
        audit = {"confirmed": [r.value for r in confirmable]}
        if not self._audit("guard_confirmed", tx_id, audit, now):
            return tx  # a confirmation that was not logged did not happen
        confirmed = (*tx.evidence.guard_confirmed, *confirmable)
        tx.evidence = _merge(tx.evidence, guard_confirmed=confirmed)
        return self._evaluate(tx, now)

    def ack_fever(self, tx_id: str) -> Transaction | None:
        """The guard acknowledged a fever alert (logged for the audit)."""
        now = self.clock.now()
        tx = self._recent.get(tx_id)
        if tx is None:
            return self._refuse_action(tx_id, "ack_fever", "unknown or expired transaction", now)
        if Reason.FEVER not in (*tx.verdict.reasons, *tx.verdict.warnings):
            return self._refuse_action(tx_id, "ack_fever", "no fever to acknowledge", now)
        if not self._audit("fever_acknowledged", tx_id, {}, now):
            return tx
        tx.fever_acknowledged = True
        self.listener.on_update(tx)
        return tx

    # ------------------------------------------------------------- internals
    def _audit(
        self, event: str, tx_id: str | None, extra: dict[str, Any], now: dt.datetime
    ) -> bool:
        """Append an audit record; False (and listeners told) when the log cannot be written."""
        payload: dict[str, Any] = {"event": event, "gate": self.setup.gate_id}
        if tx_id is not None:
            payload["transaction_id"] = tx_id
        payload.update(extra)
        try:
            self.sink.record("audit", now, payload)
        except Exception as exc:  # noqa: BLE001 - reported, never raised into the gate loop
            log.exception("audit event %s not logged", event)
            self.listener.on_fault(self._recent.get(tx_id or ""), f"{event} not logged: {exc}")
            return False
        return True

    def _refuse_action(
        self,
        tx_id: str,
        action: str,
        detail: str,
        now: dt.datetime,
        reason: str | None = None,
    ) -> Transaction | None:
        """A refused guard action changes nothing but is logged for the audit."""
        extra: dict[str, Any] = {"detail": detail}
        if reason is not None:
            extra["reason"] = reason
        self._audit(f"{action}_refused", tx_id, extra, now)
        self.listener.on_action_refused(tx_id, action, detail)
        return self._recent.get(tx_id)

    def _discard(self, tx_id: str, detail: str) -> None:
        log.info("reading for %s discarded: %s", tx_id, detail)
        self.listener.on_reading_discarded(tx_id, detail)

    def _present_health_code(
        self, hc: HealthCode, now: dt.datetime, source: IdentitySource
    ) -> Transaction:
        hmac_ = id_hmac(self.setup.id_key, hc.id_number)
        return self._add(
            now, ("id", hmac_), "HK1", source, health_code=hc, health_code_id_hmac=hmac_
        )

    def _present_online(self, text: str, now: dt.datetime, source: IdentitySource) -> Transaction:
        color: OnlineColor = "unreachable" if self.online is None else "checking"
        tx = self._add(now, ("online", text), "online", source, online_health=color)
        if color == "checking" and self.online is not None:
            try:
                self.online.request_check(tx.id, text)
            except Exception:  # noqa: BLE001 - the server was not asked: the guard checks
                log.exception("online health-code check could not be requested")
                return self.online_result(tx.id, "unreachable") or tx
        return tx

    def _present_slip(
        self, slip: VisitSlip, now: dt.datetime, source: IdentitySource
    ) -> Transaction:
        return self._add(now, ("approval", slip.approval_no), "VA1", source, visit_slip=slip)

    def _present_pass(
        self, cp: CampusPass, now: dt.datetime, source: IdentitySource
    ) -> Transaction:
        for tx in self.parked:
            if self._pairs_with(tx, cp):
                tx.evidence = _merge(
                    tx.evidence,
                    escorts=(*tx.evidence.escorts, Escort(cp, now)),
                    credential_kinds=_kinds(tx.evidence, "CP1-escort"),
                )
                self._evaluate(tx, now)
                return tx

        tx = self._target(now, ("person", cp.person_no))
        replayed = tx.evidence.replayed
        if self.setup.policy.credentials.replay_check and cp.nonce:
            if self.replay.check(cp.nonce, tx.id, now):
                skew = dt.timedelta(seconds=self.setup.policy.credentials.clock_skew_s)
                self.replay.record(cp.nonce, tx.id, cp.envelope.exp + skew)
            else:
                replayed = True
        return self._put(tx, now, "CP1", source, campus_pass=cp, replayed=replayed)

    def _pairs_with(self, tx: Transaction, cp: CampusPass) -> bool:
        """Is this pass a staff member who may collect the parked visitor (R6)?"""
        s = tx.verdict.subject
        holder = self.registry.person(cp.person_no)
        return hosts_visitor(cp.person_no, holder, s.host_person_no, s.host_unit)

    def _add(
        self,
        now: dt.datetime,
        key: tuple[str, str],
        kind: str | None,
        source: IdentitySource,
        **changes: Any,
    ) -> Transaction:
        """Put a presented credential (``changes`` to the evidence) into its transaction."""
        return self._put(self._target(now, key), now, kind, source, **changes)

    def _put(
        self,
        tx: Transaction,
        now: dt.datetime,
        kind: str | None,
        source: IdentitySource,
        **changes: Any,
    ) -> Transaction:
        if kind is not None:
            changes["credential_kinds"] = _kinds(tx.evidence, kind)
        if source not in tx.sources:
            tx.sources.append(source)
        tx.evidence = _merge(tx.evidence, **changes)
        return self._evaluate(tx, now)

    def _target(self, now: dt.datetime, key: tuple[str, str]) -> Transaction:
        """The open transaction ``key`` belongs to; another person's is superseded first."""
        tx = self.current
        if tx is not None and not tx.closed and not self._compatible(tx, key):
            self._finish(
                tx,
                dataclasses.replace(
                    tx.verdict,
                    outcome="reject",
                    reasons=(*tx.verdict.reasons, Reason.SUPERSEDED),
                    needs=(),
                ),
                now,
            )
            tx = None
        if tx is None or tx.closed:
            tx = self._new(now)
        return tx

    def _compatible(self, tx: Transaction, key: tuple[str, str]) -> bool:
        """Does the new credential belong to the person of the transaction in progress?"""
        kind, value = key
        ev, s = tx.evidence, tx.verdict.subject
        if not ev.identified:
            return True
        if ev.plate is not None or kind == "plate":
            return ev.plate == value
        if kind == "person":
            return s.kind == "member" and s.person_no == value
        if kind == "id":
            return s.id_hmac is None or s.id_hmac == value
        if kind == "approval":
            current = ev.visit_slip.approval_no if ev.visit_slip else ev.manual_approval_no
            return s.kind != "member" and (current is None or current == value)
        return s.kind != "member" and ev.online_health is None and ev.health_code is None

    def _new(self, now: dt.datetime) -> Transaction:
        ev = Evidence(data_as_of=self._data_as_of())
        tx = Transaction(
            id=uuid.uuid4().hex,
            started_at=now,
            direction=self.setup.direction,
            evidence=ev,
            verdict=Verdict(outcome="pending"),
            last_activity=now,
        )
        self.current = tx
        self.last = tx
        self._recent[tx.id] = tx
        if len(self._recent) > RECENT_TRANSACTIONS:
            self._forget_oldest()
        return tx

    def _forget_oldest(self) -> None:
        """Drop the oldest closed transactions; open, parked or relay-pending ones stay."""
        excess = len(self._recent) - RECENT_TRANSACTIONS
        done = [k for k, t in self._recent.items() if t.closed and t.relay != "pending"][:excess]
        for key in done:
            del self._recent[key]

    def _failure(self, reason: Reason, detail: str, now: dt.datetime) -> Transaction:
        tx = self.current
        if tx is not None and not tx.closed and tx.evidence.identified:
            tx.evidence = _merge(tx.evidence, failures=(*tx.evidence.failures, reason))
            self.listener.on_scan_refused(reason, detail)
            return tx
        if tx is None or tx.closed:
            tx = self._new(now)
        tx.evidence = _merge(tx.evidence, failures=(*tx.evidence.failures, reason))
        return self._evaluate(tx, now)

    def _context(self, tx: Transaction, now: dt.datetime) -> GateContext:
        return GateContext(
            gate=self.setup.gate_id,
            direction=tx.direction,
            now=now,
            tz=self.setup.tz,
            city_prefix=self.setup.city_prefix,
            clock_trusted=self.clock_trusted(),
        )

    def _evaluate(self, tx: Transaction, now: dt.datetime, touch: bool = True) -> Transaction:
        if touch:
            tx.last_activity = now
        with self.registry.snapshot():
            verdict = decide(tx.evidence, self.registry, self.setup.policy, self._context(tx, now))
        if verdict.needs == ("escort",) and tx.evidence.escort_wait_since is None:
            tx.evidence = _merge(tx.evidence, escort_wait_since=now)
        if verdict.final:
            if tx in self.parked:
                self.parked.remove(tx)
            self._finish(tx, verdict, now)
            return tx
        tx.verdict = verdict
        if verdict.needs == ("escort",) and tx not in self.parked:
            self.parked.append(tx)
            if self.current is tx:
                self.current = None
        self.listener.on_update(tx)
        return tx

    def _finish(self, tx: Transaction, verdict: Verdict, now: dt.datetime) -> None:
        """Durable log write → listeners → relay pulse request. No admit without the log."""
        tx.verdict = verdict
        if self.current is tx:
            self.current = None
        if tx in self.parked:
            self.parked.remove(tx)
        self.last = tx
        tx.relay = "idle"
        try:
            self.sink.record("decision", now, self._payload(tx, now))
        except Exception as exc:  # noqa: BLE001 - a log fault refuses, it never admits
            log.exception("decision for %s not logged", tx.id)
            tx.fault = f"decision not logged: {exc}"
            if verdict.outcome == "admit":
                tx.override = None  # an override that was not logged did not happen
                tx.verdict = dataclasses.replace(
                    verdict,
                    outcome="reject",
                    reasons=(*verdict.reasons, Reason.LOG_UNAVAILABLE),
                    warnings=tuple(w for w in verdict.warnings if w != Reason.OVERRIDDEN),
                )
            self.listener.on_fault(tx, tx.fault)
            self.listener.on_final(tx)
            return
        if verdict.outcome == "admit":
            tx.relay = "pending"  # listeners hear of the admit before the turnstile moves
        self.listener.on_final(tx)
        if verdict.outcome == "admit":
            if self.pulses is None:
                self.relay_result(tx.id, False, "no turnstile relay configured")
                return
            try:
                self.pulses.request_pulse(tx.id)
            except Exception as exc:  # noqa: BLE001 - a relay fault must not take the gate down
                log.exception("turnstile pulse could not be requested")
                self.relay_result(tx.id, False, str(exc))

    def _payload(self, tx: Transaction, now: dt.datetime) -> dict[str, Any]:
        v, ev, s = tx.verdict, tx.evidence, tx.verdict.subject
        return {
            "transaction_id": tx.id,
            "at": now.isoformat(),
            "gate": self.setup.gate_id,
            "direction": tx.direction,
            "outcome": v.outcome,
            "reasons": [r.value for r in v.reasons],
            "warnings": [r.value for r in v.warnings],
            "subject": dataclasses.asdict(s),
            "credentials": list(ev.credential_kinds),
            "refused_scans": [r.value for r in ev.failures],
            "temperature": [
                {
                    "body_c": r.body_c,
                    "raw_c": r.raw_c,
                    "ambient_c": r.ambient_c,
                    "frames": r.frames,
                    "fault": r.fault,
                    "taken_from": r.taken_from.isoformat() if r.taken_from else None,
                }
                for r in ev.readings
            ],
            "escorts": [e.campus_pass.person_no for e in ev.escorts],
            "host_confirmed_by_guard": ev.host_confirmed_by_guard,
            "guard_confirmed": [r.value for r in ev.guard_confirmed],
            "online_health": ev.online_health,
            "identified_by": list(tx.sources),
            "override": tx.override,
            "close_leave_id": v.close_leave_id,
            "policy_version": v.policy_version,
            "registry_version": v.registry_version,
            "stale_data": [stale.as_dict() for stale in v.stale],
            "started_at": tx.started_at.isoformat(),
        }


def _merge(ev: Evidence, **changes: Any) -> Evidence:
    return dataclasses.replace(ev, **changes)


def _kinds(ev: Evidence, kind: str) -> tuple[str, ...]:
    return ev.credential_kinds if kind in ev.credential_kinds else (*ev.credential_kinds, kind)


def _as_text(scanned: str | bytes) -> str | None:
    if isinstance(scanned, str):
        return scanned
    try:
        return scanned.decode("utf-8")
    except UnicodeDecodeError:
        return None
