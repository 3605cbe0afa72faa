"""The sync worker in a running gate: started by ``start_sync``, online health-code checks
through the real server, the status it publishes, the clock hook it installs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kiosk.core.clock import SystemClock
from kiosk.core.policy_config import load_policy
from kiosk.runtime import build_service, start_sync
from kiosk.sync.online import OnlineCheck
from kiosk.sync.status import STATUS_FILE, SyncStatus, load_status
from tests.support.backlog import fill_log
from tests.support.central_server import CentralServer
from tests.support.fault_proxy import FaultProxy
from tests.support.sync_checks import admin_json
from tests.sync.conftest import Gate

ROOT = Path(__file__).resolve().parents[2]
GREEN = "https://hc.example.gov.cn/healthcode?t=green-1"
UNKNOWN = "https://hc.example.gov.cn/healthcode?t=never-seen"
VERIFY = "/api/v1/verify/health-code"

pytestmark = pytest.mark.timeout(120)


def test_online_check_through_the_server(
    central: CentralServer, proxy: FaultProxy, gate: Gate
) -> None:
    admin_json(central, "POST", "/health-codes", {"code": GREEN, "color": "green"})
    check = OnlineCheck(gate.worker.client, timeout_s=1.5)
    assert check(GREEN) == "green"
    assert check(UNKNOWN) == "unverified"  # the server answered: it cannot vouch for it
    proxy.inject("delay", path_prefix=VERIFY, seconds=4.0)
    started = time.monotonic()
    assert check(GREEN) == "unreachable"  # too slow: the guard checks
    assert time.monotonic() - started < 3.0
    proxy.inject("status", path_prefix=VERIFY, status=503, retry_after=1)
    assert check(GREEN) == "unreachable"  # asked once, never retried
    proxy.inject("refuse", path_prefix=VERIFY)
    assert check(GREEN) == "unreachable"
    proxy.inject("not_json", path_prefix=VERIFY)
    assert check(GREEN) == "invalid"  # an answer, but not one the gate can use
    proxy.inject("status", path_prefix=VERIFY, status=401)
    assert check(GREEN) == "invalid"
    assert sum(VERIFY in r for r in proxy.log.requests) == 7


def test_start_sync_runs_the_worker_for_the_service(central: CentralServer, gate: Gate) -> None:
    fill_log(gate.store, 40)
    policy = load_policy(ROOT / "config" / "policy.toml")
    service = build_service(
        gate.config, policy, gate.store, clock=SystemClock(), turnstile=None
    ).start()
    seen: list[SyncStatus] = []
    synced = threading.Event()

    def listen(status: SyncStatus) -> None:
        seen.append(status)
        if status.backlog == 0 and status.last_error is None:
            synced.set()

    worker = start_sync(gate.config, gate.store, service)
    assert worker is not None
    try:
        worker.add_listener(listen)
        assert synced.wait(60), seen
        names = {t.name for t in threading.enumerate()}
        assert "sync" in names
        assert service.wait_idle(5)
        assert service._gate.clock_trusted == worker.client.skew.trusted  # type: ignore[union-attr]
        status = worker.status
        assert status.configured and status.last_success is not None
        assert status.registry_synced_at is not None and status.clock_skew_s is not None
        assert abs(status.clock_skew_s) < 5
        saved = load_status(gate.config.data_dir / STATUS_FILE)
        assert saved is not None and saved.backlog == 0
    finally:
        worker.stop()
        service.stop()
    assert "sync" not in {t.name for t in threading.enumerate()}
