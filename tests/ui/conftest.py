"""Fixtures of the screen tests: a kiosk configuration in a temporary directory, its store
(real SQLite file), the languages, a 100 k record log built once per session for the admin
screen, and a running gate (pty devices, the demo campus's registry) for the gate screen.
Any QThread left running fails the test."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThread
from sqlalchemy import text

from drivers.camera import SimulatedCamera
from drivers.device import DeviceState
from kiosk.admin_pin import set_pin
from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.core.clock import ManualClock
from kiosk.core.credentials.keys import SigningKey
from kiosk.core.policy_config import load_policy
from kiosk.demo.cast import START, Issuers, Visit, build_registry, morning
from kiosk.demo.day import DEMO_CAMERA
from kiosk.store import Store, open_store
from kiosk.store.secrets import KEY_BYTES, install_campus_key
from kiosk.store.store import campus_key_path
from kiosk.ui.admin.sample_log import fill_log
from kiosk.ui.app import GateRuntime
from kiosk.ui.gate_screen import GateScreen
from kiosk.ui.i18n import Languages, use_cjk_font

BIG_LOG_RECORDS = 100_000
LAST_DAY = dt.date(2022, 1, 10)


def make_config(directory: Path, extra: str = "") -> KioskConfig:
    """A kiosk.toml whose data directory is ``directory/data``."""
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / "kiosk.toml"
    file.write_text('[paths]\ndata_dir = "data"\n\n[admin]\nmax_attempts = 3\n' + extra)
    return load_kiosk_config(file)


@pytest.fixture
def admin_config(tmp_path: Path) -> KioskConfig:
    return make_config(tmp_path / "kiosk")


@pytest.fixture
def admin_store(admin_config: KioskConfig) -> Iterator[Store]:
    store = open_store(admin_config)
    yield store
    store.close()


@pytest.fixture
def languages(qapp: object) -> Iterator[Languages]:
    langs = Languages("zh_CN")
    yield langs
    langs.switch("en")  # leave no translator installed for the next test


@pytest.fixture(scope="session")
def big_log_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding a chained log of 100 k records over 7 days."""
    config = make_config(tmp_path_factory.mktemp("big-log"))
    store = open_store(config)
    fill_log(store.engine, BIG_LOG_RECORDS, last_day=LAST_DAY, tz=store.tz)
    with store.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    store.close()
    return config.data_dir / "kiosk.db"


@pytest.fixture
def big_store(big_log_db: Path, admin_config: KioskConfig) -> Iterator[Store]:
    """A store of this test's own opened over a copy of the 100 k record log."""
    admin_config.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(big_log_db, admin_config.data_dir / "kiosk.db")
    store = open_store(admin_config)
    yield store
    store.close()


ROOT = Path(__file__).resolve().parents[2]
ADMIN_PIN = "246810"
WAIT_MS = 15_000


@pytest.fixture(autouse=True)
def _no_dangling_qthreads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    started: weakref.WeakSet[QThread] = weakref.WeakSet()
    original = QThread.start

    def start(self: QThread, *args: object) -> None:
        started.add(self)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = [t for t in started if t.isRunning()]
    assert not running, f"QThreads left running: {running}"


@dataclasses.dataclass
class Gate:
    runtime: GateRuntime
    store: Store
    clock: ManualClock
    issuers: Issuers
    camera: SimulatedCamera | None

    @property
    def screen(self) -> GateScreen:
        return self.runtime.screen

    def visit(self, who: str) -> Visit:
        return next(v for v in morning() if v.who == who)

    def codes(self, who: str) -> list[str]:
        visit = self.visit(who)
        return visit.show(self.issuers, self.clock.now())

    def records(self, kind: str) -> list[Mapping[str, Any]]:
        return [r.payload for r in self.store.log.records() if r.kind == kind]


def write_config(tmp_path: Path, extra: str = "") -> Path:
    if "[camera]" not in extra:
        extra = f'{extra}\n[camera]\nsource = "{DEMO_CAMERA}"\n'

    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""
[paths]
data_dir = "{tmp_path / "var"}"
policy_file = "{ROOT / "config" / "policy.toml"}"

[thermometer]
window_s = 0.3
{extra}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def make_gate(qtbot, qapp, tmp_path: Path) -> Iterator[Callable[..., Gate]]:
    made: list[tuple[GateRuntime, Store]] = []

    def make(extra: str = "", hold_s: float = 4.0) -> Gate:
        config = load_kiosk_config(write_config(tmp_path, extra))
        install_campus_key(campus_key_path(config), bytes(range(KEY_BYTES)))
        set_pin(config.secret_path(config.settings.admin.pin_file), ADMIN_PIN)
        store = open_store(config)
        issuers = Issuers(SigningKey.generate("EdDSA"), SigningKey.generate("ES256"))
        store.writer.replace(build_registry(issuers, store.id_key, filler=50))
        clock = ManualClock(START + dt.timedelta(minutes=1))
        policy = load_policy(config.policy_file)
        use_cjk_font(qapp)  # as `kiosk run` does before it builds the screen
        runtime = GateRuntime(config, policy, store, clock)
        runtime.screen.parts.hold_s = hold_s
        qtbot.addWidget(runtime.screen)
        made.append((runtime, store))
        runtime.start()
        runtime.screen.resize(1280, 800)
        runtime.screen.show()
        for device in (runtime.devices.thermometer, runtime.devices.relay):
            assert device.wait_for_state(DeviceState.READY, timeout_s=15)
        source = runtime.devices.capture.source
        camera = source if isinstance(source, SimulatedCamera) else None
        return Gate(runtime, store, clock, issuers, camera)

    yield make
    for runtime, store in made:
        runtime.stop()
        store.close()
    time.sleep(0.05)
