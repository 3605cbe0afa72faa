"""Sync benchmark against the real central server process on loopback (SQLite).

Figures, each beside a baseline from the same run:
- full registry download and apply of ``--people`` people by a new gate (feed pages, hash
  checks, schema validation, one transaction) vs. a bare ``sqlite3`` bulk insert of the same
  rows into the same table layout;
- upload of a ``--backlog`` decision backlog (claim, POST, per-record settle) vs. a bare bulk
  insert of the same records;
- decisions per second the server ingests from ``--gates`` gates pushing ``--decisions`` each
  at once through a fault proxy (500s, 503 with Retry-After, lost answers, duplicate delivery,
  refused connections, truncated bodies on 10 % of requests), with ``lost`` and ``duplicates``
  counted by comparing what every gate logged with what the server holds; baseline: a bare
  bulk insert of as many rows.

Run: ``scripts/bench sync [--gates 20] [--decisions 1000] [--people 100000] [--backlog 50000]``.
Prints JSON on its last line; also writes it to ``bench-results/sync.json``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.core.registry import Person
from kiosk.store import Store, open_store
from kiosk.store.chain import canonical_json
from kiosk.store.wire import record_row
from kiosk.sync.http import ServerClient, ServerError
from kiosk.sync.link import client_for, enroll
from kiosk.sync.pull import pull
from kiosk.sync.push import push
from tests.support.backlog import fill_log
from tests.support.central_server import CentralServer
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.sync_checks import put, running, server_log_ids

BUDGET = {"people_100k_s": 20.0, "backlog_50k_s": 30.0, "lost": 0, "duplicates": 0}
FAULTS = [
    Fault("status", status=500),
    Fault("status", status=503, retry_after=1),
    Fault("lost_answer"),
    Fault("duplicate"),
    Fault("refuse"),
    Fault("truncate"),
]


def people(n: int) -> list[Person]:
    return [
        Person(
            f"S{i:07d}", "student", "张*", f"{i:064x}", f"4101**********{i % 10_000:04d}", "某学院"
        )
        for i in range(n)
    ]


def gate_config(root: Path, name: str, url: str) -> KioskConfig:
    path = root / f"{name}.toml"
    path.write_text(
        f'[gate]\nid = "{name}"\n[paths]\ndata_dir = "var-{name}"\n[server]\nurl = "{url}"\n'
        "retries = 5\nbackoff_s = 0.1\nbackoff_max_s = 1.0\ntimeout_s = 30.0\n",
        encoding="utf-8",
    )
    return load_kiosk_config(path)


class TimedClient(ServerClient):
    """The kiosk's client, counting the seconds spent waiting for the server."""

    waited_s = 0.0

    def raw(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return super().raw(*args, **kwargs)
        finally:
            self.waited_s += time.perf_counter() - started


def enrolled(root: Path, central: CentralServer, name: str, url: str) -> tuple[Store, Any]:
    config = gate_config(root, name, url)
    enroll(config, central.add_gate(name), url=central.url)
    store = open_store(config)
    client = client_for(config)
    assert client is not None
    return store, TimedClient(client.link, client.skew)


def bare_insert(path: Path, rows: list[tuple[Any, ...]], columns: int) -> float:
    """Seconds for one bulk insert of ``rows`` into a fresh SQLite table (WAL, FULL sync)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    names = ", ".join(f"c{i}" for i in range(columns))
    conn.execute(f"CREATE TABLE t (id INTEGER PRIMARY KEY, {names})")
    marks = ", ".join("?" for _ in range(columns))
    started = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO t ({names}) VALUES ({marks})", rows)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def bench_people(root: Path, n: int) -> dict[str, Any]:
    with running(CentralServer(root / "central-people")) as central:
        records = people(n)
        put(central, "people", records, chunk=10_000)
        store, client = enrolled(root, central, "download", central.url)
        started = time.perf_counter()
        result = pull(client, store.registry, store.writer)
        elapsed = time.perf_counter() - started
        held = len(store.registry.version) > 0 and store.registry.person(f"S{n - 1:07d}")
        store.close()
        client.close()
    rows = [tuple(record_row(p).values()) for p in records]
    baseline = bare_insert(root / "bare-people.db", rows, len(rows[0]))
    return {
        "people": n,
        "pages": result.pages,
        "download_apply_s": round(elapsed, 2),
        "people_per_s": round(n / elapsed),
        "complete": bool(held),
        "waiting_for_server_s": round(client.waited_s, 2),
        "baseline_bare_insert_s": round(baseline, 3),
    }


def bench_backlog(root: Path, n: int) -> dict[str, Any]:
    with running(CentralServer(root / "central-backlog")) as central:
        store, client = enrolled(root, central, "backlog", central.url)
        fill_log(store, n)
        started = time.perf_counter()
        result = push(client, store.outbox, batch_size=1000)
        elapsed = time.perf_counter() - started
        left = store.outbox.counts()
        records = [r.as_dict() for r in store.log.records()]
        store.close()
        client.close()
    rows = [
        (r["record_id"], r["seq"], r["at"], canonical_json(r["payload"]), r["hash"])
        for r in records
    ]
    baseline = bare_insert(root / "bare-backlog.db", rows, 5)
    return {
        "decisions": n,
        "upload_s": round(elapsed, 2),
        "decisions_per_s": round(n / elapsed),
        "acknowledged": result.sent,
        "waiting_for_server_s": round(client.waited_s, 2),
        "left_pending": left["pending"] + left["inflight"],
        "baseline_bare_insert_s": round(baseline, 3),
    }


def _drain(store: Store, client: Any, errors: list[str]) -> None:
    for _ in range(200):
        try:
            push(client, store.outbox, batch_size=250, now_due=True)
        except ServerError as exc:
            errors.append(str(exc))
            continue
        counts = store.outbox.counts()
        if counts["pending"] + counts["inflight"] == 0:
            return
    errors.append(f"gate {store.gate}: not drained")


def bench_ingest(root: Path, gates: int, per_gate: int) -> dict[str, Any]:
    with (
        running(CentralServer(root / "central-ingest")) as central,
        FaultProxy("127.0.0.1", central.port) as proxy,
    ):
        fleet = [enrolled(root, central, f"g{i:02d}", proxy.url) for i in range(gates)]
        for store, _ in fleet:
            fill_log(store, per_gate)
        proxy.chaos(0.10, FAULTS, seed=2022, path_prefix="/api/v1/decisions")
        errors: list[str] = []
        threads = [
            threading.Thread(target=_drain, args=(store, client, errors), name=f"gate-{store.gate}")
            for store, client in fleet
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        lost = duplicates = 0
        for store, client in fleet:
            logged = {r.record_id for r in store.log.records()}
            held = Counter(server_log_ids(central, store.gate))
            lost += len(logged - set(held))
            duplicates += sum(n - 1 for n in held.values()) + len(set(held) - logged)
            store.close()
            client.close()
        faults = Counter(kind for kind, _ in proxy.log.faults)
    total = gates * per_gate
    rows = [
        (f"{i:036d}", i, "2022-01-20T00:00:00+00:00", '{"outcome":"admit"}', "0" * 64)
        for i in range(total)
    ]
    baseline = bare_insert(root / "bare-ingest.db", rows, 5)
    return {
        "gates": gates,
        "decisions": total,
        "wall_s": round(elapsed, 2),
        "decisions_per_s": round(total / elapsed),
        "faults_injected": dict(faults),
        "requests": len(proxy.log.requests),
        "lost": lost,
        "duplicates": duplicates,
        "round_errors": len(errors),
        "baseline_bare_insert_per_s": round(total / baseline),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="scripts/bench sync")
    parser.add_argument("--gates", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=1000, help="decisions per gate")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--backlog", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        root = Path(tmp)
        result: dict[str, Any] = {
            "download": bench_people(root, args.people),
            "backlog": bench_backlog(root, args.backlog),
            "ingest": bench_ingest(root, args.gates, args.decisions),
            "budget": BUDGET,
        }
    for name, value in result.items():
        print(f"{name}: {json.dumps(value, ensure_ascii=False)}")
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    (out / "sync.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
