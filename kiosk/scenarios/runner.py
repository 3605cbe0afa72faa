"""Run policy scenarios through the real path: issue signed QR strings, then decode, verify and
decide them with a :class:`~kiosk.core.transaction.Gate` over a registry in a real SQLite file."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.clock import ManualClock
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.credentials.transport import PREFIXES
from kiosk.core.credentials.types import NatResult
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import Policy, merge_policy
from kiosk.core.registry import RegistrySnapshot, RegistryView
from kiosk.core.transaction import Gate, GateSetup, Transaction
from kiosk.scenarios.registry_builder import build_records, sql_registry
from kiosk.scenarios.spec import Scenario, ScenarioError, parse_duration, parse_instant

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

RegistryFactory = Callable[[RegistrySnapshot], AbstractContextManager[RegistryView]]


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


class _Sink:
    def __init__(self) -> None:
        self.records: list[tuple[str, dt.datetime, dict[str, Any]]] = []

    def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
        self.records.append((kind, at, payload))


class _Turnstile:
    def __init__(self) -> None:
        self.pulses = 0

    def open_turnstile(self) -> bool:
        self.pulses += 1
        return True


class ScenarioRunner:
    """Runs scenarios against a base policy with freshly made trusted and untrusted keys.

    Each scenario's registry lives in its own SQLite file in a temporary directory that
    :meth:`close` (or leaving the ``with`` block) removes.
    """

    def __init__(
        self,
        base_policy: Policy,
        *,
        tz: ZoneInfo,
        city_prefix: str,
        registry_factory: RegistryFactory | None = None,
    ) -> None:
        self.base_policy = base_policy
        self.tz = tz
        self.city_prefix = city_prefix
        self.trusted = SigningKey.generate("EdDSA")
        self.untrusted = SigningKey.generate("EdDSA")
        self.id_key = os.urandom(32)
        self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-scenarios-")
        self._count = 0
        self._factory = registry_factory or self._sqlite_registry

    def __enter__(self) -> ScenarioRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the scenario databases."""
        self._tmp.cleanup()

    @contextmanager
    def _sqlite_registry(self, snapshot: RegistrySnapshot) -> Iterator[RegistryView]:
        self._count += 1
        path = Path(self._tmp.name) / f"scenario-{self._count}.db"
        with sql_registry(snapshot, f"sqlite:///{path}") as registry:
            yield registry
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def run(self, scenario: Scenario) -> ScenarioResult:
        """Run one scenario; malformed content becomes a failed result, never an exception."""
        expect = scenario.data["expect"]
        try:
            got = self._play(scenario)
        except ScenarioError as exc:
            return ScenarioResult(scenario.name, scenario.source, False, expect, {}, [str(exc)])
        problems = _compare(expect, got)
        return ScenarioResult(scenario.name, scenario.source, not problems, expect, got, problems)

    # ------------------------------------------------------------------ play
    def _play(self, sc: Scenario) -> dict[str, Any]:
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
        with self._factory(records) as registry:
            return self._steps(sc, policy, registry, synced)

    def _steps(
        self, sc: Scenario, policy: Policy, registry: RegistryView, synced: dt.datetime
    ) -> dict[str, Any]:
        data = sc.data
        keyring = KeyRing(
            [self.trusted.trusted_key(issuer="scenario", prefixes=PREFIXES)]
        )
        clock = ManualClock(sc.now)
        sink, turnstile = _Sink(), _Turnstile()
        pin = str(data.get("admin_pin", DEFAULT_ADMIN_PIN))
        gate = Gate(
            GateSetup(
                gate_id=str(data.get("gate", "north")),
                direction=data.get("direction", "in"),
                tz=self.tz,
                city_prefix=self.city_prefix,
                policy=policy,
                id_key=self.id_key,
            ),
            registry=registry,
            keyring=lambda: keyring,
            clock=clock,
            sink=sink,
            actuator=turnstile,
            admin_pin_ok=lambda given: given == pin,
            registry_synced_at=lambda: synced,
            clock_trusted=lambda: bool(data.get("clock_trusted", True)),
        )
        focus: Transaction | None = None
        tx: Transaction | None
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
            # The scenario follows its first transaction; once that one has ended, a later
            # step's new transaction (the next person, a replayed code) takes over.
            focus_was_final = focus is not None and focus.closed
            clock.set(step_time)
            gate.tick()
            if "present" in step:
                tx, last_text = self._present(gate, step["present"], step_time, last_text, where)
            elif "temperature" in step:
                tx = gate.temperature(_reading(step["temperature"]))
            elif "wait" in step:
                clock.advance(parse_duration(step["wait"], where + ".wait"))
                gate.tick()
                tx = None
            else:
                g = step["guard"]
                tx = gate.retest() if g.get("retest") else None
                if "override" in g:
                    tx = gate.override(
                        str(g["override"]), None if g.get("pin") is None else str(g["pin"])
                    )
            if focus is None or (focus_was_final and tx is not None and tx is not focus):
                focus = tx or gate.last
        if focus is None:
            raise ScenarioError(f"{sc.source}: no transaction took place")
        return {
            "decision": focus.verdict.outcome,
            "reasons": [r.value for r in focus.verdict.reasons],
            "warnings": [r.value for r in focus.verdict.warnings],
            "relay": "pulsed" if focus.relay == "pulsed" else "idle",
            "logged": len(sink.records),
        }

    def _present(
        self, gate: Gate, body: dict[str, Any], at: dt.datetime, last_text: str | None, where: str
    ) -> tuple[Transaction, str | None]:
        if "raw" in body:
            return gate.present_text(body["raw"]), body["raw"]
        if "repeat" in body:
            if last_text is None:
                raise ScenarioError(f"{where}.present.repeat: nothing was presented before")
            return gate.present_text(last_text), last_text
        if "manual" in body:
            m = body["manual"]
            return gate.present_manual(
                id_number=m.get("id_number"),
                person_no=m.get("person_no"),
                approval_no=m.get("approval_no"),
            ), None
        text = self._issue(body, at, gate, where)
        return gate.present_text(text), text

    def _issue(self, body: dict[str, Any], at: dt.datetime, gate: Gate, where: str) -> str:
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
                person = gate.registry.person(person_no)
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


def _reading(value: Any) -> Reading | None:
    if value is None:
        return None
    if isinstance(value, list):
        if not value:
            return None
        return Reading(body_c=float(statistics.median(value)), frames=len(value))
    return Reading(body_c=float(value), frames=1)


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
    if "relay" in expect and expect["relay"] != got["relay"]:
        problems.append(f"expected relay {expect['relay']}, got {got['relay']}")
    return problems
