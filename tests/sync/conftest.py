"""Fixtures for sync against the real central server: a server process, a gate enrolled with
it, the fault proxy between them."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.runtime import sync_worker
from kiosk.store import Store, open_store
from kiosk.sync.link import client_for, enroll
from kiosk.sync.worker import SyncWorker
from tests.support.central_server import CentralServer
from tests.support.fault_proxy import FaultProxy
from tests.support.sync_checks import running

GATE = "north"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    with running(CentralServer(tmp_path / "central")) as server:
        yield server


@pytest.fixture
def proxy(central: CentralServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", central.port) as p:
        yield p


def gate_config(tmp_path: Path, url: str, name: str = GATE, **server: object) -> KioskConfig:
    """A kiosk.toml for gate ``name`` syncing with ``url`` (fast retries for tests)."""
    settings: dict[str, object] = {
        "url": url,
        "retries": 3,
        "backoff_s": 0.05,
        "backoff_max_s": 0.5,
        "timeout_s": 5.0,
        "connect_timeout_s": 1.0,
        "sync_interval_s": 1.0,
    }
    settings.update(server)
    lines = ["[gate]", f'id = "{name}"', "[paths]", f'data_dir = "var-{name}"', "[server]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    path = tmp_path / f"kiosk-{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_kiosk_config(path)


@dataclasses.dataclass
class Gate:
    """An enrolled gate: its configuration, store and worker (not started)."""

    config: KioskConfig
    store: Store
    worker: SyncWorker

    def close(self) -> None:
        self.worker.stop()
        self.store.close()


def enrolled_gate(
    tmp_path: Path, central: CentralServer, url: str, name: str = GATE, **server: object
) -> Gate:
    """Enrol gate ``name`` on ``central`` and open its store, syncing through ``url``."""
    config = gate_config(tmp_path, url, name, **server)
    enroll(config, central.add_gate(name), url=central.url)
    store = open_store(config)
    client = client_for(config)
    assert client is not None
    return Gate(config, store, sync_worker(config, store, client))


@pytest.fixture
def gate(tmp_path: Path, central: CentralServer, proxy: FaultProxy) -> Iterator[Gate]:
    g = enrolled_gate(tmp_path, central, proxy.url)
    yield g
    g.close()


def kiosk_env() -> dict[str, str]:
    """The environment of a kiosk subprocess (this checkout importable)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env
