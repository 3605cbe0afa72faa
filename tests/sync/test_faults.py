"""Sync through faults against the real central server process on loopback (issue 8, item 9).

After each fault: every decision reaches the server exactly once, the kiosk's registry equals
the server's, and both chains verify.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.registry import Person, Revocation
from kiosk.store import open_store
from kiosk.sync.pull import pull
from tests.support.backlog import fill_log
from tests.support.central_server import CentralServer
from tests.support.fault_proxy import FaultProxy
from tests.support.postgres import PostgresCluster
from tests.support.sync_checks import (
    admin_json,
    kiosk_registry,
    put,
    running,
    server_chain,
    server_log_ids,
    server_registry,
)
from tests.sync.conftest import Gate, enrolled_gate, kiosk_env

pytestmark = pytest.mark.timeout(240)

GATE_NUMBERS = itertools.count(1)
FEED = "/api/v1/feed"
DECISIONS = "/api/v1/decisions"


def people(n: int, prefix: str = "S") -> list[Person]:
    return [
        Person(
            f"{prefix}{i:06d}",
            "student",
            "张*",
            f"{i:064x}",
            f"4101**********{i % 10000:04d}",
            "某学院",
        )
        for i in range(n)
    ]


def assert_consistent(central: CentralServer, gate: Gate) -> None:
    """Exactly once, registries equal, both chains verify."""
    kiosk_ids = [r.record_id for r in gate.store.log.records()]
    server_ids = server_log_ids(central, gate.store.gate)
    assert len(server_ids) == len(set(server_ids)), "duplicates on the server"
    assert sorted(server_ids) == sorted(kiosk_ids), "lost or extra records"
    assert gate.store.outbox.counts()["pending"] == 0
    assert gate.store.outbox.counts()["inflight"] == 0
    assert kiosk_registry(gate.store) == server_registry(central)
    assert gate.store.log.verify().ok
    chain = server_chain(central, gate.store.gate)
    assert chain["ok"] and chain["checked"] == len(kiosk_ids), chain


def drain(gate: Gate, rounds: int = 10) -> None:
    """Sync rounds until nothing is left to send and the registry is current."""
    for _ in range(rounds):
        result = gate.worker.run_once(now_due=True)
        if result.error is None and result.status.backlog == 0:
            return
    raise AssertionError(f"not drained: {gate.worker.status}")


def seed(central: CentralServer, gate: Gate, n_people: int = 300, n_decisions: int = 1200) -> None:
    put(central, "people", people(n_people))
    put(central, "revocations", [Revocation("campus_pass", "S000007")])
    fill_log(gate.store, n_decisions)


def test_clean_sync_then_incremental_changes(central: CentralServer, gate: Gate) -> None:
    seed(central, gate)
    result = gate.worker.run_once()
    assert result.error is None, result.error
    assert result.pulled is not None and result.pulled.snapshot
    assert result.pushed is not None and result.pushed.sent == 1200
    assert result.status.registry_synced_at is not None and result.status.backlog == 0
    assert_consistent(central, gate)
    put(central, "people", [Person("T9", "staff", "李*", None, None, "后勤处")])
    admin_json(central, "POST", "/records/people/delete", {"keys": [{"person_no": "S000001"}]})
    result = gate.worker.run_once()
    assert result.error is None and result.pulled is not None and not result.pulled.snapshot
    assert result.pulled.records == 2
    assert_consistent(central, gate)


def test_snapshot_in_many_pages_is_applied_whole(central: CentralServer, gate: Gate) -> None:
    put(central, "people", people(2500))
    seen: list[int] = []

    def progress(p: Any) -> None:
        seen.append(gate.store.registry.person("S000000") is not None)

    result = pull(
        gate.worker.client, gate.store.registry, gate.store.writer, limit=400, progress=progress
    )
    assert result.snapshot and result.pages >= 7 and result.applied == 1
    assert not any(seen[:-1]), "a snapshot page was applied before the last one"
    assert kiosk_registry(gate.store) == server_registry(central)


FAULTS: list[tuple[str, str, dict[str, Any]]] = [
    ("status", FEED, {"status": 500, "times": 2}),
    ("status", DECISIONS, {"status": 500, "times": 2}),
    ("status", DECISIONS, {"status": 503, "retry_after": 1}),
    ("status", FEED, {"status": 429, "retry_after": 1}),
    ("delay", FEED, {"seconds": 2.5}),
    ("delay", DECISIONS, {"seconds": 2.5}),
    ("truncate", FEED, {}),
    ("truncate", DECISIONS, {}),
    ("not_json", FEED, {}),
    ("not_json", DECISIONS, {}),
    ("duplicate", DECISIONS, {"times": 3}),
    ("lost_answer", DECISIONS, {"times": 2}),
    ("refuse", DECISIONS, {"times": 2}),
]


@pytest.fixture(scope="module")
def shared_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    """One server for the faults below, each with a gate of its own."""
    with running(CentralServer(tmp_path_factory.mktemp("shared") / "central")) as server:
        yield server


@pytest.fixture
def shared_proxy(shared_central: CentralServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", shared_central.port) as p:
        yield p


@pytest.mark.parametrize(("kind", "path", "options"), FAULTS, ids=lambda v: str(v))
def test_fault_then_recovery(
    tmp_path: Path,
    shared_central: CentralServer,
    shared_proxy: FaultProxy,
    kind: str,
    path: str,
    options: dict[str, Any],
) -> None:
    central, proxy = shared_central, shared_proxy
    name = f"g{next(GATE_NUMBERS)}"
    options = dict(options)
    gate = enrolled_gate(tmp_path, central, proxy.url, name, timeout_s=1.5)
    try:
        seed(central, gate)
        times = int(options.pop("times", 1))
        proxy.inject(kind, times=times, path_prefix=path, **options)  # type: ignore[arg-type]
        gate.worker.run_once()
        assert proxy.pending() == 0, "the fault was never hit"
        drain(gate)
        assert_consistent(central, gate)
    finally:
        gate.close()


def test_server_down_at_start(tmp_path: Path, central: CentralServer, gate: Gate) -> None:
    seed(central, gate)
    central.stop()
    result = gate.worker.run_once()
    assert result.error is not None and "registry" in result.error and "upload" in result.error
    assert result.status.backlog == 1200 and result.status.last_success is None
    assert gate.store.registry.version == ""
    central.start()
    drain(gate)
    assert_consistent(central, gate)


def test_server_killed_mid_batch_and_restarted(
    central: CentralServer, proxy: FaultProxy, gate: Gate
) -> None:
    seed(central, gate)
    proxy.inject("hold_answer", path_prefix=DECISIONS, seconds=3.0)
    rounds = threading.Thread(target=gate.worker.run_once, name="round")
    rounds.start()
    deadline = time.monotonic() + 30
    while not any(DECISIONS in r for r in proxy.log.requests) and time.monotonic() < deadline:
        time.sleep(0.02)
    central.kill()  # the batch was stored; the answer never reaches the kiosk
    rounds.join(60)
    assert gate.worker.status.last_error is not None
    central.start()
    drain(gate)
    assert_consistent(central, gate)


def _sync_args(config_file: Path) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", "--config", str(config_file), "sync", "--once"]


def _kiosk_sync(config_file: Path) -> subprocess.Popen[bytes]:
    """`kiosk sync --once` as its own process, to be killed."""
    return subprocess.Popen(
        _sync_args(config_file),
        env=kiosk_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _restart(config_file: Path) -> None:
    """`kiosk sync --once` again, to the end: it must succeed."""
    done = subprocess.run(
        _sync_args(config_file), env=kiosk_env(), capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_kiosk_killed_mid_upload_then_restarted(
    central: CentralServer, proxy: FaultProxy, gate: Gate
) -> None:
    seed(central, gate)
    gate.worker.run_once()  # registry current; now a new backlog
    fill_log(gate.store, 900, start=dt.datetime(2022, 1, 21, tzinfo=dt.UTC))
    proxy.inject("hold_answer", path_prefix=DECISIONS, seconds=5.0)
    process = _kiosk_sync(gate.config.file)
    assert proxy.wait_answered(FEED, count=2, timeout_s=60)
    deadline = time.monotonic() + 30
    while proxy.pending() and time.monotonic() < deadline:
        time.sleep(0.02)  # the held batch has reached the server
    process.kill()
    process.wait(10)
    assert gate.store.outbox.counts()["inflight"] > 0, "killed before the upload"
    _restart(gate.config.file)
    assert_consistent(central, gate)


def test_kiosk_killed_mid_apply_then_restarted(
    tmp_path: Path, central: CentralServer, proxy: FaultProxy, gate: Gate
) -> None:
    put(central, "people", people(40_000))
    fill_log(gate.store, 300)
    process = _kiosk_sync(gate.config.file)
    assert proxy.wait_answered(FEED, count=8, timeout_s=120)  # the snapshot's pages are in
    time.sleep(0.2)
    assert process.poll() is None, "the kiosk finished before it could be killed"
    process.kill()
    process.wait(10)
    counts = len(kiosk_registry(gate.store)["people"])
    version = gate.store.registry.version
    assert (counts, version == "") in ((0, True), (40_000, False)), "half a registry"
    _restart(gate.config.file)
    assert_consistent(central, gate)
    assert len(kiosk_registry(gate.store)["people"]) == 40_000


def test_restart_reopens_the_same_store(tmp_path: Path, central: CentralServer, gate: Gate) -> None:
    seed(central, gate, n_decisions=50)
    drain(gate)
    gate.store.close()
    store = open_store(gate.config)
    try:
        assert store.registry.synced_at is not None
        assert store.outbox.counts()["sent"] == 50
    finally:
        store.close()


def test_faults_against_postgresql(tmp_path: Path, postgres_cluster: PostgresCluster) -> None:
    """The same guarantees with the server on PostgreSQL, through a run of faults."""
    server = CentralServer(tmp_path / "central-pg", postgres_cluster.new_database("sync"))
    with running(server) as central, FaultProxy("127.0.0.1", central.port) as proxy:
        gate = enrolled_gate(tmp_path, central, proxy.url, timeout_s=1.5)
        try:
            seed(central, gate, n_decisions=1500)
            for kind, path, options in FAULTS:
                options = dict(options)
                times = int(options.pop("times", 1))
                proxy.inject(kind, times=times, path_prefix=path, **options)  # type: ignore[arg-type]
            for round_no in range(20):
                gate.worker.run_once(now_due=True)
                if not proxy.pending():
                    break
                fill_log(gate.store, 50, tag=f"r{round_no}")  # more to upload, more faults hit
            assert proxy.pending() == 0
            drain(gate)
            assert_consistent(central, gate)
            central.kill()
            fill_log(gate.store, 200, start=dt.datetime(2022, 1, 21, tzinfo=dt.UTC))
            assert gate.worker.run_once().error is not None
            central.start()
            drain(gate)
            assert_consistent(central, gate)
        finally:
            gate.close()
