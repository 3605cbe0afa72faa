"""The gate transaction: identify → measure → decide → act → log, as an event-driven machine.

:class:`Gate` receives events (a scanned string, typed input, a temperature reading, a guard
action, a clock tick), keeps the evidence of the transaction in progress, asks the policy engine
for a verdict after every event and, when the verdict is final, logs it and opens the turnstile.
Visitors waiting for their host are parked so the queue behind them keeps moving; a host's
campus pass scanned later pairs with them (R6).

It is Qt-free and single-threaded by contract: the owner calls it from one thread (the screen's
worker, the demo loop or the scenario runner).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import uuid
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
from kiosk.core.evidence import Direction, Escort, Evidence, GateContext, OnlineColor, Reading
from kiosk.core.identifiers import (
    IdentifierError,
    check_approval_no,
    check_id_number,
    check_person_no,
)
from kiosk.core.identity import id_hmac
from kiosk.core.policy import decide
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import RegistryView
from kiosk.core.rules.visitor import hosts_visitor
from kiosk.core.verdict import Verdict

log = logging.getLogger(__name__)


class Actuator(Protocol):
    """The turnstile: returns True when the unlock pulse was commanded."""

    def open_turnstile(self) -> bool: ...


class DecisionSink(Protocol):
    """Where final decisions go (the tamper-evident log)."""

    def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None: ...


class GateListener:
    """Callbacks from the gate; every method does nothing by default."""

    def on_update(self, tx: Transaction) -> None:
        """A transaction's verdict changed (pending prompts, parked visitors)."""

    def on_final(self, tx: Transaction) -> None:
        """A transaction reached admit or reject and was logged."""

    def on_scan_refused(self, reason: Reason, detail: str) -> None:
        """A scanned code was refused while another transaction was in progress."""


OnlineVerifier = Callable[[str], OnlineColor]


@dataclass
class Transaction:
    """One pass through the gate."""

    id: str
    started_at: dt.datetime
    evidence: Evidence
    verdict: Verdict
    last_activity: dt.datetime
    relay: Literal["idle", "pulsed", "fault"] = "idle"
    override: dict[str, str] | None = None
    logged: int = 0
    notes: list[str] = field(default_factory=list)

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
    """The transaction state machine of one kiosk."""

    def __init__(
        self,
        setup: GateSetup,
        *,
        registry: RegistryView,
        keyring: Callable[[], KeyRing],
        clock: Clock,
        sink: DecisionSink,
        actuator: Actuator,
        replay: ReplayGuard | None = None,
        online: OnlineVerifier | None = None,
        admin_pin_ok: Callable[[str], bool] = lambda pin: False,
        registry_synced_at: Callable[[], dt.datetime | None] | None = None,
        clock_trusted: Callable[[], bool] = lambda: True,
        listener: GateListener | None = None,
    ) -> None:
        self.setup = setup
        self.registry = registry
        self._keyring = keyring
        self.clock = clock
        self.sink = sink
        self.actuator = actuator
        self.replay = replay or ReplayGuard()
        self.online = online
        self._admin_pin_ok = admin_pin_ok
        self._synced_at = registry_synced_at or (lambda: registry.synced_at)
        self._clock_trusted = clock_trusted
        self.listener = listener or GateListener()
        self.current: Transaction | None = None
        self.parked: list[Transaction] = []
        self.last: Transaction | None = None
        self._patterns = [re.compile(p) for p in setup.policy.health_code.online_patterns]

    # ----------------------------------------------------------------- events
    def present_text(self, scanned: str | bytes) -> Transaction:
        """A string the camera or a keyboard wedge produced."""
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
                return self._present_health_code(cred, now)
            if isinstance(cred, CampusPass):
                return self._present_pass(cred, now)
            return self._present_slip(cred, now)
        if any(p.search(text) for p in self._patterns):
            return self._present_online(text, now)
        return self._failure(Reason.CODE_UNSUPPORTED, "not a code this gate accepts", now)

    def present_manual(
        self,
        *,
        id_number: str | None = None,
        person_no: str | None = None,
        approval_no: str | None = None,
    ) -> Transaction:
        """Identity typed by the guard (no signed claims come with it).

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
            return self._add(now, ("id", hmac_), manual_id_hmac=hmac_)
        if person_no:
            return self._add(now, ("person", person_no), manual_person_no=person_no)
        if approval_no:
            return self._add(now, ("approval", approval_no), manual_approval_no=approval_no)
        return self._failure(Reason.CREDENTIAL_MISSING, "nothing entered", now)

    def temperature(self, reading: Reading | None) -> Transaction | None:
        """A measurement (``None``: the thermometer is offline) for the transaction in progress."""
        now = self.clock.now()
        tx = self.current
        if tx is None or tx.closed:
            return None
        value = reading or Reading(body_c=None, fault="thermometer offline")
        tx.evidence = _merge(tx.evidence, readings=(*tx.evidence.readings, value))
        return self._evaluate(tx, now)

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

    def retest(self) -> Transaction | None:
        """Guard asks for another measurement: drop a faulty or implausible last reading."""
        now = self.clock.now()
        tx = self.last if self.current is None else self.current
        if tx is None or tx.verdict.outcome == "admit" or Reason.FEVER in tx.verdict.reasons:
            return tx
        readings = tx.evidence.readings
        t = self.setup.policy.temperature
        if readings and (
            readings[-1].body_c is None or not t.valid_min_c <= readings[-1].body_c <= t.valid_max_c
        ):
            readings = readings[:-1]
        tx.evidence = _merge(tx.evidence, readings=readings)
        tx.notes.append("guard retest")
        if tx.closed:
            self.current = tx
        tx.verdict = dataclasses.replace(tx.verdict, outcome="pending")
        return self._evaluate(tx, now)

    def override(self, reason: str, pin: str | None = None) -> Transaction | None:
        """Guard admits a refused or pending person with a configured reason (hard rules: PIN)."""
        now = self.clock.now()
        tx = self.current if self.current is not None and not self.current.closed else self.last
        rules = self.setup.policy.override
        if tx is None or tx.verdict.outcome == "admit":
            return tx
        if reason not in rules.reasons:
            return self._refuse_override(tx, reason, f"unknown override reason {reason}", now)
        hard = [r for r in tx.verdict.reasons if r in rules.hard_rules]
        by = "guard"
        if hard:
            if pin is None or not self._admin_pin_ok(pin):
                detail = f"admin PIN {'wrong' if pin else 'required'} for {', '.join(hard)}"
                return self._refuse_override(tx, reason, detail, now)
            by = "admin"
        tx.override = {"reason": reason, "by": by, "over": ",".join(tx.verdict.reasons)}
        verdict = dataclasses.replace(
            tx.verdict,
            outcome="admit",
            needs=(),
            warnings=(*tx.verdict.warnings, Reason.OVERRIDDEN),
        )
        if tx in self.parked:
            self.parked.remove(tx)
        self._finish(tx, verdict, now)
        return tx

    # ------------------------------------------------------------- internals
    def _refuse_override(
        self, tx: Transaction, reason: str, detail: str, now: dt.datetime
    ) -> Transaction:
        """A refused override changes nothing but is logged for the audit."""
        self.sink.record(
            "audit",
            now,
            {
                "event": "override_refused",
                "transaction_id": tx.id,
                "reason": reason,
                "detail": detail,
                "gate": self.setup.gate_id,
            },
        )
        self.listener.on_scan_refused(Reason.OVERRIDE_REFUSED, detail)
        return tx

    def _present_health_code(self, hc: HealthCode, now: dt.datetime) -> Transaction:
        hmac_ = id_hmac(self.setup.id_key, hc.id_number)
        return self._add(now, ("id", hmac_), "HK1", health_code=hc, health_code_id_hmac=hmac_)

    def _present_online(self, text: str, now: dt.datetime) -> Transaction:
        color: OnlineColor = "unverified"
        if self.online is not None:
            try:
                color = self.online(text)
            except Exception as exc:  # noqa: BLE001 - any failure means "not verified"
                log.warning("online health-code check failed: %s", exc)
        return self._add(now, ("online", text), "online", online_health=color)

    def _present_slip(self, slip: VisitSlip, now: dt.datetime) -> Transaction:
        return self._add(now, ("approval", slip.approval_no), "VA1", visit_slip=slip)

    def _present_pass(self, cp: CampusPass, now: dt.datetime) -> Transaction:
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
        return self._put(tx, now, "CP1", campus_pass=cp, replayed=replayed)

    def _pairs_with(self, tx: Transaction, cp: CampusPass) -> bool:
        """Is this pass a staff member who may collect the parked visitor (R6)?"""
        s = tx.verdict.subject
        holder = self.registry.person(cp.person_no)
        return hosts_visitor(cp.person_no, holder, s.host_person_no, s.host_unit)

    def _add(
        self, now: dt.datetime, key: tuple[str, str], kind: str | None = None, **changes: Any
    ) -> Transaction:
        """Put a presented credential (``changes`` to the evidence) into its transaction."""
        return self._put(self._target(now, key), now, kind, **changes)

    def _put(
        self, tx: Transaction, now: dt.datetime, kind: str | None, **changes: Any
    ) -> Transaction:
        if kind is not None:
            changes["credential_kinds"] = _kinds(tx.evidence, kind)
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
        if kind == "person":
            return s.kind == "member" and s.person_no == value
        if kind == "id":
            return s.id_hmac is None or s.id_hmac == value
        if kind == "approval":
            current = ev.visit_slip.approval_no if ev.visit_slip else ev.manual_approval_no
            return s.kind != "member" and (current is None or current == value)
        return s.kind != "member" and ev.online_health is None and ev.health_code is None

    def _new(self, now: dt.datetime) -> Transaction:
        ev = Evidence(registry_synced_at=self._synced_at())
        tx = Transaction(
            id=uuid.uuid4().hex,
            started_at=now,
            evidence=ev,
            verdict=Verdict(outcome="pending"),
            last_activity=now,
        )
        self.current = tx
        self.last = tx
        return tx

    def _failure(self, reason: Reason, detail: str, now: dt.datetime) -> Transaction:
        tx = self.current
        if tx is not None and not tx.closed and tx.evidence.identified:
            tx.evidence = _merge(tx.evidence, failures=(*tx.evidence.failures, reason))
            tx.notes.append(f"refused scan: {reason.value} {detail}".strip())
            self.listener.on_scan_refused(reason, detail)
            return tx
        if tx is None or tx.closed:
            tx = self._new(now)
        tx.evidence = _merge(tx.evidence, failures=(*tx.evidence.failures, reason))
        tx.notes.append(detail)
        return self._evaluate(tx, now)

    def _context(self, now: dt.datetime) -> GateContext:
        return GateContext(
            gate=self.setup.gate_id,
            direction=self.setup.direction,
            now=now,
            tz=self.setup.tz,
            city_prefix=self.setup.city_prefix,
            clock_trusted=self._clock_trusted(),
        )

    def _evaluate(self, tx: Transaction, now: dt.datetime, touch: bool = True) -> Transaction:
        if touch:
            tx.last_activity = now
        with self.registry.snapshot():
            verdict = decide(tx.evidence, self.registry, self.setup.policy, self._context(now))
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
        tx.verdict = verdict
        if self.current is tx:
            self.current = None
        self.last = tx
        tx.relay = "idle"
        self.sink.record("decision", now, self._payload(tx, now))
        tx.logged += 1
        if verdict.outcome == "admit":
            tx.relay = "pulsed" if self._open() else "fault"
            if tx.relay == "fault":
                self.sink.record(
                    "device",
                    now,
                    {"transaction_id": tx.id, "event": "relay_fault", "gate": self.setup.gate_id},
                )
        self.listener.on_final(tx)

    def _open(self) -> bool:
        try:
            return bool(self.actuator.open_turnstile())
        except Exception:  # noqa: BLE001 - a relay fault must not take the gate down
            log.exception("turnstile relay failed")
            return False

    def _payload(self, tx: Transaction, now: dt.datetime) -> dict[str, Any]:
        v, ev, s = tx.verdict, tx.evidence, tx.verdict.subject
        return {
            "transaction_id": tx.id,
            "at": now.isoformat(),
            "gate": self.setup.gate_id,
            "direction": self.setup.direction,
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
                }
                for r in ev.readings
            ],
            "escorts": [e.campus_pass.person_no for e in ev.escorts],
            "override": tx.override,
            "close_leave_id": v.close_leave_id,
            "policy_version": v.policy_version,
            "registry_version": v.registry_version,
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
