"""Core benchmark: decision latency with a full-size registry, and durable log throughput.

Each figure sits beside a baseline measured in the same run:
- decision latency (scan → verify → decide, through :class:`Gate`) vs. a bare signature verify;
- decision-log appends (hash chain + outbox, fsync on commit) vs. bare SQLite inserts with the
  same durability (WAL, ``synchronous=FULL``, one commit per record).

Run: ``scripts/bench core [--people 100000] [--approvals 10000] [--decisions 3000]``.
Prints JSON; also writes it to ``bench-results/core.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key

from kiosk.core.clock import ManualClock
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.evidence import Reading
from kiosk.core.identity import id_hmac, mask_id
from kiosk.core.policy_config import Policy
from kiosk.core.registry import Checkin, Person, Role, StayApproval, VisitApproval
from kiosk.core.transaction import Gate, GateSetup
from kiosk.store.db import migrate, open_engine
from kiosk.store.log import DecisionLog
from kiosk.store.registry import RegistrySnapshot, RegistryWriter, SqlRegistry

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=TZ)
KEY = b"bench-campus-key-000000000000000"


class _NullSink:
    def record(self, kind: str, at: dt.datetime, payload: dict[str, Any]) -> None:
        return None


class _NullTurnstile:
    """Answers every pulse request at once, as a relay that always works."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def request_pulse(self, tx_id: str) -> None:
        self.gate.relay_result(tx_id, True)


def build_snapshot(people: int, approvals: int) -> RegistrySnapshot:
    """A synthetic registry of the requested size (students, staff, visitors for today)."""
    snap = RegistrySnapshot(version="bench", synced_at=NOW)
    for i in range(people):
        role: Role = "student" if i % 5 else "staff"
        ident = f"P{i:07d}"
        snap.people.append(
            Person(
                f"N{i:07d}",
                role,
                "张*",
                id_hmac(KEY, ident),
                mask_id(ident + "0000000"),
                unit=f"unit-{i % 50}",
            )
        )
        snap.checkins.append(Checkin(f"N{i:07d}", NOW.date(), "normal"))
        if role == "student":
            snap.stay_approvals.append(
                StayApproval(f"N{i:07d}", dt.date(2022, 1, 15), dt.date(2022, 2, 20), "approved")
            )
    for j in range(approvals):
        snap.visit_approvals.append(
            VisitApproval(
                f"V{j:06d}",
                "王*",
                id_hmac(KEY, f"V{j:06d}-id"),
                "410102",
                f"unit-{j % 50}",
                f"N{(j * 5) % people:07d}",
                NOW.date(),
                (),
                NOW - dt.timedelta(days=2),
                "approved",
            )
        )
    return snap


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _stats(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "p50_ms": round(statistics.median(ms), 4),
        "p99_ms": round(_percentile(ms, 0.99), 4),
        "mean_ms": round(statistics.fmean(ms), 4),
        "n": len(ms),
    }


def bench_decisions(workdir: Path, people: int, approvals: int, n: int) -> dict[str, Any]:
    """Scan → decode/verify → decide, for members and visitors, against a full registry."""
    engine = open_engine(f"sqlite:///{workdir / 'registry.db'}")
    migrate(engine)
    t0 = time.perf_counter()
    RegistryWriter(engine).replace(build_snapshot(people, approvals))
    load_s = time.perf_counter() - t0
    registry = SqlRegistry(engine)
    signer = SigningKey.generate("EdDSA")
    ring = KeyRing([signer.trusted_key("bench", ("HK1", "CP1", "VA1"))])
    clock = ManualClock(NOW)
    gate = Gate(
        GateSetup("north", "in", TZ, "4101", Policy(), KEY),
        registry=registry,
        keyring=lambda: ring,
        clock=clock,
        sink=_NullSink(),
    )
    gate.pulses = _NullTurnstile(gate)
    rng = random.Random(7)
    texts: list[tuple[str, str]] = []
    for _ in range(n):
        if rng.random() < 0.7:
            i = rng.randrange(people)
            role = "student" if i % 5 else "staff"
            texts.append(
                (
                    "member",
                    codec.issue_campus_pass(
                        signer,
                        person_no=f"N{i:07d}",
                        role=role,
                        iat=NOW - dt.timedelta(seconds=5),
                        exp=NOW + dt.timedelta(seconds=55),
                    ),
                )
            )
        else:
            j = rng.randrange(approvals)
            texts.append(
                (
                    "visitor",
                    codec.issue_health_code(
                        signer,
                        name="王芳",
                        id_number=f"V{j:06d}-id",
                        iat=NOW - dt.timedelta(minutes=1),
                        exp=NOW + dt.timedelta(hours=24),
                        visited_regions=("410102",),
                    ),
                )
            )
    samples: dict[str, list[float]] = {"member": [], "visitor": []}
    outcomes: dict[str, int] = {}
    reading = Reading(body_c=36.5, raw_c=35.6, frames=5)
    for kind, text in texts:
        start = time.perf_counter()
        tx = gate.present_text(text)
        gate.temperature(tx.id, reading)
        samples[kind].append(time.perf_counter() - start)
        key = f"{kind}:{tx.verdict.outcome}"
        outcomes[key] = outcomes.get(key, 0) + 1
        gate.parked.clear()  # visitors wait for an escort; keep the gate's state small
    registry.close()
    engine.dispose()

    # Baseline: a bare Ed25519 verify of a message of the same size, no decoding, no policy.
    msg = os.urandom(300)
    sig = signer.sign(msg)
    public = load_der_public_key(signer.public_der())
    assert isinstance(public, Ed25519PublicKey)
    base: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        public.verify(sig, msg)
        base.append(time.perf_counter() - start)
    all_samples = samples["member"] + samples["visitor"]
    return {
        "registry": {"people": people, "visit_approvals": approvals, "load_s": round(load_s, 2)},
        "decision": _stats(all_samples),
        "decision_member": _stats(samples["member"]),
        "decision_visitor": _stats(samples["visitor"]),
        "outcomes": outcomes,
        "baseline_bare_ed25519_verify": _stats(base),
        "budget_p99_ms": 5.0,
        "within_budget": _percentile([s * 1000 for s in all_samples], 0.99) <= 5.0,
    }


def bench_log(workdir: Path, n: int) -> dict[str, Any]:
    """Durable appends to the hash-chained log vs. bare durable SQLite inserts."""
    engine = open_engine(f"sqlite:///{workdir / 'log.db'}")
    migrate(engine)
    log = DecisionLog(engine, gate="north")
    payload = {
        "transaction_id": "x" * 32,
        "outcome": "admit",
        "reasons": [],
        "warnings": [],
        "subject": {"kind": "member", "person_no": "N0000001", "name_masked": "张*"},
        "temperature": [{"body_c": 36.5, "raw_c": 35.6, "frames": 5}],
        "policy_version": "notice-2022-01-08+abc",
        "registry_version": "bench",
    }
    start = time.perf_counter()
    for i in range(n):
        log.append(
            "decision",
            NOW + dt.timedelta(seconds=i),
            payload,
            gate="north",
            outcome="admit",
            person_no="N0000001",
        )
    chain_s = time.perf_counter() - start
    report = log.verify()
    engine.dispose()

    conn = sqlite3.connect(workdir / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT, payload TEXT)")
    text = json.dumps(payload)
    start = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (at, payload) VALUES (?, ?)", (str(i), text))
        conn.execute("COMMIT")
    bare_s = time.perf_counter() - start
    conn.close()
    return {
        "records": n,
        "decision_log_per_s": round(n / chain_s, 1),
        "baseline_bare_sqlite_per_s": round(n / bare_s, 1),
        "chain_verified": report.ok,
        "budget_per_s": 200,
        "within_budget": n / chain_s >= 200,
    }


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print one JSON document."""
    parser = argparse.ArgumentParser(prog="scripts/bench core")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--approvals", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=3_000)
    parser.add_argument("--log-records", type=int, default=2_000)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        work = Path(tmp)
        result = {
            "benchmark": "core",
            "machine": {"cpus": os.cpu_count()},
            "decisions": bench_decisions(work, args.people, args.approvals, args.decisions),
            "log": bench_log(work, args.log_records),
        }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "core.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
