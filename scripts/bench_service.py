"""Gate service benchmark: how fast a decision reaches the screen through the service.

Through :class:`kiosk.service.GateService` over a real SQLite store (hash-chained log, fsync on
commit) and the relay simulator behind the relay adapter, per transaction:
- scan command → the pending prompt reaches a listener (decode, verify, decide, queue hops);
- reading command → the final decision reaches a listener (decide + durable log write);
- decision → relay answer (the pulse on the relay worker, logged as a device record).
Baseline in the same run: the same scans and readings straight into a bare :class:`Gate` with a
sink that keeps nothing (no queue, no thread, no log).

Run: ``scripts/bench service [--people 5000] [--transactions 200]``. Prints JSON; also writes
it to ``bench-results/service.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drivers.relay.factory import open_relay
from kiosk.config import load_kiosk_config
from kiosk.core.clock import ManualClock
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import BreakRules, Policy
from kiosk.core.registry import Checkin, Person, RegistrySnapshot, TrustKey
from kiosk.core.transaction import Gate, GateSetup
from kiosk.runtime import RelayTurnstile, build_gate
from kiosk.service import GateService, ServiceListener, TransactionView
from kiosk.store import open_store
from kiosk.store.secrets import KEY_BYTES, install_campus_key
from kiosk.store.store import campus_key_path
from scripts.bench_core import _NullSink, _percentile

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=TZ)
PULSE_MS = 100
BUDGET_P95_MS = 150.0
WAIT_S = 10.0


class _Stopwatch(ServiceListener):
    """Marks when the prompt, the decision and the relay answer reach a listener."""

    def __init__(self) -> None:
        self.prompt = threading.Event()
        self.decision = threading.Event()
        self.relay = threading.Event()
        self.times: dict[str, float] = {}
        self.tx_id = ""
        self.outcome = ""

    def reset(self) -> None:
        for event in (self.prompt, self.decision, self.relay):
            event.clear()
        self.times.clear()

    def on_transaction(self, view: TransactionView) -> None:
        if not view.closed and "temperature" in view.needs and not self.prompt.is_set():
            self.tx_id = view.id
            self.times["prompt"] = time.perf_counter()
            self.prompt.set()

    def on_decision(self, view: TransactionView) -> None:
        self.outcome = view.outcome
        self.times["decision"] = time.perf_counter()
        self.decision.set()

    def on_relay(self, view: TransactionView) -> None:
        self.times["relay"] = time.perf_counter()
        self.relay.set()


def _stats(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(_percentile(ms, 0.95), 3),
        "max_ms": round(max(ms), 3),
        "n": len(ms),
    }


def _registry(people: int, signer: SigningKey) -> RegistrySnapshot:
    t = signer.trusted_key("bench", ("HK1", "CP1", "VA1"))
    snap = RegistrySnapshot(
        version="bench",
        synced_at=NOW,
        trust_keys=[TrustKey(t.kid, t.alg, t.public_key_der, "bench", None, None, t.prefixes)],
    )
    for i in range(people):
        snap.people.append(Person(f"T{i:06d}", "staff", "李*", None, None, "计算机"))
        snap.checkins.append(Checkin(f"T{i:06d}", NOW.date(), "normal"))
    return snap


def _pass(signer: SigningKey, i: int, at: dt.datetime) -> str:
    return codec.issue_campus_pass(
        signer,
        person_no=f"T{i:06d}",
        role="staff",
        iat=at - dt.timedelta(seconds=5),
        exp=at + dt.timedelta(seconds=55),
    )


def bench(workdir: Path, people: int, n: int) -> dict[str, Any]:
    """Service path vs. a bare gate for ``n`` staff entries."""
    base = load_kiosk_config()
    paths = dataclasses.replace(base.settings.paths, data_dir=str(workdir), database_url="")
    config = dataclasses.replace(base, settings=dataclasses.replace(base.settings, paths=paths))
    policy = Policy(break_=BreakRules(start=None, end=None))
    signer = SigningKey.generate("EdDSA")
    install_campus_key(campus_key_path(config), os.urandom(KEY_BYTES))
    store = open_store(config)
    store.writer.replace(_registry(people, signer))
    clock = ManualClock(NOW)
    relay = open_relay("sim:", "lcus", 1)
    watch = _Stopwatch()
    service = GateService(
        build_gate(config, policy, store, clock=clock),
        turnstile=RelayTurnstile(relay, PULSE_MS),
    )
    service.add_listener(watch)
    prompt: list[float] = []
    decision: list[float] = []
    pulse: list[float] = []
    outcomes: dict[str, int] = {}
    texts = []
    with service:
        for k in range(n):
            clock.advance(dt.timedelta(seconds=2))
            text = _pass(signer, k % people, clock.now())
            texts.append((clock.now(), text))
            watch.reset()
            t0 = time.perf_counter()
            service.scan(text)
            if not watch.prompt.wait(WAIT_S):
                raise RuntimeError("no prompt from the gate service")
            prompt.append(watch.times["prompt"] - t0)
            t1 = time.perf_counter()
            service.reading(watch.tx_id, Reading(body_c=36.5, frames=5))
            if not watch.decision.wait(WAIT_S) or not watch.relay.wait(WAIT_S):
                raise RuntimeError("no decision or relay answer from the gate service")
            decision.append(watch.times["decision"] - t1)
            pulse.append(watch.times["relay"] - watch.times["decision"])
            outcomes[watch.outcome] = outcomes.get(watch.outcome, 0) + 1
            service.wait_idle(WAIT_S)
    log_ok = store.log.verify().ok
    relay.close()

    # Baseline: the same transactions straight into a bare gate, nothing logged.
    ring = KeyRing([signer.trusted_key("bench", ("HK1", "CP1", "VA1"))])
    bare_clock = ManualClock(NOW)
    gate = Gate(
        GateSetup("north", "in", TZ, "4101", policy, store.id_key),
        registry=store.registry,
        keyring=lambda: ring,
        clock=bare_clock,
        sink=_NullSink(),
    )
    bare: list[float] = []
    for at, text in texts:
        bare_clock.set(at)
        start = time.perf_counter()
        tx = gate.present_text(text)
        gate.temperature(tx.id, Reading(body_c=36.5, frames=5))
        bare.append(time.perf_counter() - start)
    store.close()
    end_to_end = [p + d for p, d in zip(prompt, decision, strict=True)]
    return {
        "transactions": n,
        "registry_people": people,
        "outcomes": outcomes,
        "scan_to_prompt": _stats(prompt),
        "reading_to_logged_decision": _stats(decision),
        "scan_and_reading_to_decision": _stats(end_to_end),
        "decision_to_relay_answer": _stats(pulse),
        "relay_pulse_ms": PULSE_MS,
        "baseline_bare_gate_no_log": _stats(bare),
        "log_chain_verified": log_ok,
        "budget_p95_ms": BUDGET_P95_MS,
        "within_budget": _percentile(end_to_end, 0.95) * 1000 <= BUDGET_P95_MS,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON document."""
    parser = argparse.ArgumentParser(prog="scripts/bench service")
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        result = {
            "benchmark": "service",
            "machine": {"cpus": os.cpu_count()},
            "service": bench(Path(tmp), args.people, args.transactions),
        }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "service.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
