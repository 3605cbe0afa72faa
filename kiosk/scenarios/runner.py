"""Run policy scenarios through the real path: issue signed QR strings, then decode, verify and
decide them with the gate service over a registry and a hash-chained log in a real SQLite file,
the turnstile being a relay simulator on a pty behind the real relay adapter."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drivers.idcard.card import encode_foreigner_block, encode_text_block
from drivers.relay.device import RelayDevice, RelayError
from drivers.relay.simulator import RelaySimulator
from kiosk.core.clock import ManualClock
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.credentials.transport import PREFIXES
from kiosk.core.credentials.types import NatResult
from kiosk.core.datasets import DATASETS, DatasetTimes
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import Policy, merge_policy
from kiosk.core.registry import RegistrySnapshot, RegistryView
from kiosk.core.transaction import Gate, GateSetup
from kiosk.idcard import CardsToGate
from kiosk.runtime import LogSink, RelayTurnstile
from kiosk.scenarios.registry_builder import build_records
from kiosk.scenarios.spec import Scenario, ScenarioError, parse_duration, parse_instant
from kiosk.service import GateService, ServiceListener, TransactionView
from kiosk.store import Store
from kiosk.store.db import migrate, open_engine
from kiosk.store.log import DecisionLog
from kiosk.store.outbox import Outbox
from kiosk.store.registry import RegistryWriter, SqlRegistry

DEFAULT_ADMIN_PIN = "2468"
LIFETIMES = {
    "health_code": dt.timedelta(hours=24),
    "campus_pass": dt.timedelta(seconds=60),
    "visit_approval": dt.timedelta(days=7),
}
ISSUED_BEFORE = {
    "health_code": dt.timedelta(minutes=1),
    "campus_pass": dt.timedelta(seconds=10),
    "visit_approval": dt.timedelta(minutes=1),
}
RELAY_PROTOCOL = "modbus-coil"
RELAY_PULSE_MS = 100
RELAY_REPLY_TIMEOUT_S = 0.3
SETTLE_TIMEOUT_S = 30.0


@dataclass
class ScenarioResult:
    """Outcome of one scenario."""

    name: str
    source: str
    passed: bool
    expected: dict[str, Any]
    got: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        """``PASS name`` or ``FAIL name: expected …, got …``."""
        if self.passed:
            return f"PASS {self.name}"
        return f"FAIL {self.name}: {'; '.join(self.problems)}"


class _Watcher(ServiceListener):
    """Records which transactions the service reported, in the order they first appeared."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.touched: list[str] = []

    def on_transaction(self, view: TransactionView) -> None:
        if view.id not in self.order:
            self.order.append(view.id)
        self.touched.append(view.id)


class ScenarioRunner:
    """Runs scenarios against a base policy with freshly made trusted and untrusted keys.

    Each scenario's registry and decision log live in their own SQLite file in a temporary
    directory; the turnstile is one relay simulator on a pty. :meth:`close` (or leaving the
    ``with`` block) removes both.
    """

    def __init__(self, base_policy: Policy, *, tz: ZoneInfo, city_prefix: str) -> None:
        self.base_policy = base_policy
        self.tz = tz
        self.city_prefix = city_prefix
        self.trusted = SigningKey.generate("EdDSA")
        self.untrusted = SigningKey.generate("EdDSA")
        self.id_key = os.urandom(32)
        self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-scenarios-")
        self._count = 0
        self._relay_sim = RelaySimulator(RELAY_PROTOCOL, "normal")
        self._relay_sim.start()
        self._relay = RelayDevice(
            self._relay_sim.port, RELAY_PROTOCOL, 1, reply_timeout_s=RELAY_REPLY_TIMEOUT_S
        )
        self._turnstile = RelayTurnstile(self._relay, RELAY_PULSE_MS)

    def __enter__(self) -> ScenarioRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the relay simulator and remove the scenario databases."""
        self._relay.close()
        self._relay_sim.close()
        self._tmp.cleanup()

    @contextmanager
    def _store(self, snapshot: RegistrySnapshot, gate: str) -> Iterator[Store]:
        """A fresh store (registry + log + outbox) holding ``snapshot``, removed afterwards."""
        self._count += 1
        path = Path(self._tmp.name) / f"scenario-{self._count}.db"
        engine = open_engine(f"sqlite:///{path}")
        try:
            migrate(engine)
            RegistryWriter(engine).replace(snapshot)
            store = Store(
                engine=engine,
                key_path=Path(self._tmp.name) / "campus.key",
                _key=self.id_key,
                registry=SqlRegistry(engine),
                writer=RegistryWriter(engine),
                log=DecisionLog(engine, gate=gate),
                outbox=Outbox(engine),
                gate=gate,
                tz=self.tz,
            )
            try:
                yield store
            finally:
                store.close()
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def run(self, scenario: Scenario) -> ScenarioResult:
        """Run one scenario; malformed content becomes a failed result, never an exception."""
        expect = scenario.data["expect"]
        try:
            got, problems = self._play(scenario)
        except ScenarioError as exc:
            return ScenarioResult(scenario.name, scenario.source, False, expect, {}, [str(exc)])
        return ScenarioResult(scenario.name, scenario.source, not problems, expect, got, problems)

    # ------------------------------------------------------------------ play
    def _play(self, sc: Scenario) -> tuple[dict[str, Any], list[str]]:
        data = sc.data
        policy = self.base_policy
        if "policy" in data:
            try:
                policy = merge_policy(self.base_policy, data["policy"], f"{sc.source}: policy")
            except ValueError as exc:
                raise ScenarioError(str(exc)) from None
        records = build_records(data.get("registry", {}), sc.now, self.tz, self.id_key, sc.source)
        synced = (
            parse_instant(data["registry_synced_at"], sc.now, f"{sc.source}: registry_synced_at")
            if "registry_synced_at" in data
            else sc.now
        )
        records.version = f"scenario:{sc.name[:40]}"
        records.synced_at = synced
        times = _data_as_of(data.get("data_as_of", {}), synced, sc)
        self._relay_sim.profile = str(data.get("relay", "normal"))
        try:
            self._relay.initialise()
        except RelayError:
            pass  # the scenario's relay is faulty on purpose: pulses will report the fault
        with self._store(records, str(data.get("gate", "north"))) as store:
            return self._steps(sc, policy, store, times)

    def _steps(
        self, sc: Scenario, policy: Policy, store: Store, times: DatasetTimes
    ) -> tuple[dict[str, Any], list[str]]:
        data = sc.data
        keyring = KeyRing([self.trusted.trusted_key(issuer="scenario", prefixes=PREFIXES)])
        clock = ManualClock(sc.now)
        pin = str(data.get("admin_pin", DEFAULT_ADMIN_PIN))
        gate = Gate(
            GateSetup(
                gate_id=store.gate,
                direction=data.get("direction", "in"),
                tz=self.tz,
                city_prefix=self.city_prefix,
                policy=policy,
                id_key=self.id_key,
            ),
            registry=store.registry,
            keyring=lambda: keyring,
            clock=clock,
            sink=LogSink(store),
            admin_pin_ok=lambda given: given == pin,
            data_as_of=lambda: times,
            clock_trusted=lambda: bool(data.get("clock_trusted", True)),
        )
        watcher = _Watcher()
        service = GateService(gate, turnstile=self._turnstile)
        service.add_listener(watcher)
        problems: list[str] = []
        with service:
            last_text: str | None = None
            step_time = sc.now
            for i, step in enumerate(sc.steps):
                where = f"{sc.source}: steps[{i}]"
                if "at" in step:
                    step_time = parse_instant(step["at"], sc.now, where + ".at")
                elif i > 0:
                    step_time = clock.now() + dt.timedelta(seconds=1)
                if step_time < clock.now():
                    raise ScenarioError(f"{where}.at: time goes backwards")
                clock.set(step_time)
                service.tick()
                self._settle(service, where)
                watcher.touched.clear()
                last_text = self._step(
                    service, watcher, clock, step, last_text, where, store.registry
                )
                self._settle(service, where)
                if "expect" in step:
                    if not watcher.touched:
                        raise ScenarioError(f"{where}.expect: the step touched no transaction")
                    got = _got(service, watcher.touched[-1], store)
                    problems += [f"steps[{i}]: {p}" for p in _compare(step["expect"], got)]
        expect = data["expect"]
        index = int(expect.get("transaction", 1))
        if not watcher.order:
            raise ScenarioError(f"{sc.source}: no transaction took place")
        if index > len(watcher.order):
            count = len(watcher.order)
            raise ScenarioError(f"{sc.source}: expect.transaction: only {count} took place")
        got = _got(service, watcher.order[index - 1], store)
        return got, _compare(expect, got) + problems

    def _settle(self, service: GateService, where: str) -> None:
        if not service.wait_idle(SETTLE_TIMEOUT_S):
            raise ScenarioError(f"{where}: the gate service did not settle")

    def _step(
        self,
        service: GateService,
        watcher: _Watcher,
        clock: ManualClock,
        step: dict[str, Any],
        last_text: str | None,
        where: str,
        registry: RegistryView,
    ) -> str | None:
        """Play one step through the service; returns the last presented string."""
        snap = service.snapshot()
        if "present" in step:
            return self._present(service, registry, step["present"], clock.now(), last_text, where)
        if "temperature" in step:
            if snap.current is not None:
                service.reading(snap.current.id, _reading(step["temperature"], clock.now()))
        elif "wait" in step:
            clock.advance(parse_duration(step["wait"], where + ".wait"))
            service.tick()
        elif "direction" in step:
            service.set_direction(step["direction"])
        else:
            g = step["guard"]
            tx_id = self._guard_target(service, watcher, g, where)
            if tx_id is None:
                return last_text
            if g.get("retest"):
                service.retest(tx_id)
            if g.get("confirm_guard"):
                service.confirm_guard(tx_id)
            if g.get("confirm_host"):
                service.confirm_host(tx_id)
            if g.get("ack_fever"):
                service.ack_fever(tx_id)
            if "override" in g:
                pin = g.get("pin")
                service.override(tx_id, str(g["override"]), None if pin is None else str(pin))
        return last_text

    def _guard_target(
        self, service: GateService, watcher: _Watcher, g: dict[str, Any], where: str
    ) -> str | None:
        """The transaction a guard step names (``transaction``: N), else the one on screen:
        the person in progress, else the last decided."""
        if "transaction" in g:
            n = int(g["transaction"])
            if n > len(watcher.order):
                raise ScenarioError(f"{where}.guard.transaction: no transaction {n} yet")
            return watcher.order[n - 1]
        snap = service.snapshot()
        view = snap.current or snap.last
        return view.id if view is not None else None

    def _present(
        self,
        service: GateService,
        registry: RegistryView,
        body: dict[str, Any],
        at: dt.datetime,
        last_text: str | None,
        where: str,
    ) -> str | None:
        if "raw" in body:
            service.scan(body["raw"])
            return str(body["raw"])
        if "repeat" in body:
            if last_text is None:
                raise ScenarioError(f"{where}.present.repeat: nothing was presented before")
            service.scan(last_text)
            return last_text
        if "id_card" in body:
            self._put_card(service, body["id_card"], where)
            return None
        if "plate" in body:
            service.enter_plate(body["plate"], source="guard")
            return None
        if "manual" in body:
            m = body["manual"]
            service.enter_identity(
                id_number=m.get("id_number"),
                person_no=m.get("person_no"),
                approval_no=m.get("approval_no"),
                source="guard",
            )
            return None
        text = self._issue(body, at, registry, where)
        service.scan(text)
        return text

    def _put_card(self, service: GateService, card: dict[str, Any], where: str) -> None:
        """The card's text block as the reader module sends it, parsed by the driver and
        handed to the gate through the kiosk boundary (HMAC and masks only)."""
        try:
            if card.get("card", "resident") == "foreigner":
                block = encode_foreigner_block(
                    english_name=str(card.get("name", "DOE, JANE")),
                    number=str(card["id_number"]),
                    nationality="USA",
                    valid_to=_card_date(card.get("valid_to", "2030-01-01")),
                )
            else:
                block = encode_text_block(
                    name=str(card.get("name", "张三")),
                    id_number=str(card["id_number"]),
                    valid_from=_card_date(card.get("valid_from", "2015-01-01")),
                    valid_to=_card_date(card.get("valid_to", "2035-01-01")),
                )
        except ValueError as exc:
            raise ScenarioError(f"{where}.present.id_card: {exc}") from None
        CardsToGate(service, self.id_key).deliver(block)

    def _issue(
        self, body: dict[str, Any], at: dt.datetime, registry: RegistryView, where: str
    ) -> str:
        kind = next(k for k in ("health_code", "campus_pass", "visit_approval") if k in body)
        claims = body[kind]
        signer = self.untrusted if body.get("signed_by") == "untrusted" else self.trusted
        iat = (
            parse_instant(body["iat"], at, where + ".iat")
            if "iat" in body
            else at - ISSUED_BEFORE[kind]
        )
        exp = (
            parse_instant(body["exp"], at, where + ".exp")
            if "exp" in body
            else iat + LIFETIMES[kind]
        )
        try:
            if kind == "health_code":
                nat = claims.get("nat")
                text = codec.issue_health_code(
                    signer,
                    name=str(claims.get("name", "")),
                    id_number=str(claims.get("id_number", "")),
                    color=claims.get("color", "green"),
                    nat=None
                    if nat is None
                    else NatResult(
                        result=nat["result"], sampled_at=parse_instant(nat["sampled_at"], at, where)
                    ),
                    visited_regions=tuple(claims.get("visited_regions", ())),
                    vaccine_doses=int(claims.get("vaccine_doses", 3)),
                    iat=iat,
                    exp=exp,
                )
            elif kind == "campus_pass":
                person_no = str(claims.get("person_no", ""))
                person = registry.person(person_no)
                role = claims.get("role") or (person.role if person else "visitor")
                text = codec.issue_campus_pass(
                    signer,
                    person_no=person_no,
                    role=role,
                    color=claims.get("color", "green"),
                    checked_in=bool(claims.get("checked_in", True)),
                    iat=iat,
                    exp=exp,
                )
            else:
                text = codec.issue_visit_slip(
                    signer, approval_no=str(claims.get("approval_no", "")), iat=iat, exp=exp
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise ScenarioError(f"{where}.present.{kind}: cannot issue ({exc})") from None
        return codec.tamper(text) if body.get("tamper") else text


def _reading(value: Any, at: dt.datetime) -> Reading | None:
    if value is None:
        return None
    if isinstance(value, list):
        if not value:
            return None
        return Reading(
            body_c=float(statistics.median(value)), frames=len(value), taken_from=at, taken_until=at
        )
    return Reading(body_c=float(value), frames=1, taken_from=at, taken_until=at)


def _got(service: GateService, tx_id: str, store: Store) -> dict[str, Any]:
    view = service.transaction(tx_id)
    if view is None:
        raise ScenarioError(f"transaction {tx_id} is no longer known to the gate service")
    return {
        "decision": view.outcome,
        "reasons": [r.value for r in view.reasons],
        "warnings": [r.value for r in view.warnings],
        "relay": view.relay if view.relay in ("pulsed", "fault") else "idle",
        "stale": [s.dataset for s in view.stale],
        "logged": store.log.count(),
    }


def _compare(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if expect["decision"] != got["decision"]:
        problems.append(
            f"expected {expect['decision']}, got {got['decision']} "
            f"(reasons {got['reasons']}, warnings {got['warnings']})"
        )
    for key in ("reasons", "warnings"):
        want = set(expect.get(key, []))
        have = set(got[key])
        if expect.get("exact") and want != have:
            problems.append(f"expected {key} exactly {sorted(want)}, got {sorted(have)}")
        elif not want <= have:
            problems.append(f"expected {key} {sorted(want)}, got {sorted(have)}")
    if "stale" in expect and sorted(expect["stale"]) != sorted(got["stale"]):
        problems.append(f"expected stale datasets {sorted(expect['stale'])}, got {got['stale']}")
    if "relay" in expect and expect["relay"] != got["relay"]:
        problems.append(f"expected relay {expect['relay']}, got {got['relay']}")
    return problems


def _card_date(value: Any) -> str:
    """``YYYY-MM-DD`` (or ``长期``) as the card stores it: ``YYYYMMDD``."""
    text = str(value)
    return text if text == "长期" else text.replace("-", "")


def _data_as_of(value: Any, synced: dt.datetime, sc: Scenario) -> DatasetTimes:
    """``registry_synced_at`` for every dataset, with ``data_as_of``'s datasets replaced."""
    where = f"{sc.source}: data_as_of"
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected an object of dataset → time")
    times = {}
    for name, at in value.items():
        if name not in DATASETS:
            raise ScenarioError(f"{where}.{name}: unknown dataset (one of {', '.join(DATASETS)})")
        times[name] = parse_instant(at, sc.now, f"{where}.{name}")
    return DatasetTimes.uniform(synced).replaced(**times)
