"""Gate screen benchmark: the screen on top of the gate service, beside the bare service.

On the demo campus (registry of :mod:`kiosk.demo.cast`, real SQLite store, pty thermometer and
relay simulators, the synthetic ``sim:`` camera at 15 fps with the cascade decoding):
- frame with a code → banner: from the camera delivering the first frame that shows a campus
  pass to the screen showing that person's banner (baseline: to a plain service listener
  hearing it); also from the moment the pass is put in front of the camera, which adds the
  simulator's drawing of the phone image and the wait for the next frame;
- UI thread's longest stall: a 10 ms QTimer's worst lateness while camera, thermometer,
  relay and log are busy (baseline: the same timer with the service running, no screen);
- people per hour with the demo's mix (its visits' first codes typed as wedge scans, each
  measured and decided), with the screen attached and without;
- RSS growth over ``--minutes`` at 15 fps with a scan every 2 s; the bare service runs the
  same load in a child process at the same time.

Run: ``scripts/bench screen [--codes 40] [--people 60] [--minutes 10]``. JSON last line; also
written to ``bench-results/screen.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import kiosk.ui  # noqa: E402, F401, I001 - before PySide6: it sets PySide's options as `kiosk run` has them

from PySide6.QtCore import QCoreApplication  # noqa: E402

from drivers.camera import SimulatedCamera  # noqa: E402
from drivers.device import DeviceState  # noqa: E402
from kiosk.config import load_kiosk_config  # noqa: E402
from kiosk.core.clock import ManualClock  # noqa: E402
from kiosk.core.credentials.keys import SigningKey  # noqa: E402
from kiosk.core.policy_config import load_policy  # noqa: E402
from kiosk.demo.cast import START, Issuers, build_registry, morning  # noqa: E402
from kiosk.demo.day import DEMO_CAMERA  # noqa: E402
from kiosk.service import ServiceListener, TransactionView  # noqa: E402
from kiosk.store import open_store  # noqa: E402
from kiosk.store.secrets import KEY_BYTES, install_campus_key  # noqa: E402
from kiosk.store.store import campus_key_path  # noqa: E402
from kiosk.ui.app import GateRuntime, qt_application  # noqa: E402
from kiosk.ui.presenter import ScreenState  # noqa: E402
from kiosk.ui.stall import StallMeter  # noqa: E402
from kiosk.ui.startup import freeze_startup_objects  # noqa: E402
from scripts.bench_core import _percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WAIT_S = 15.0
SHOW_S = 1.0


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class _Heard(ServiceListener):
    """Marks when a plain listener hears each transaction first, and each decision."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.decided = threading.Event()
        self.count = 0

    def on_transaction(self, view: TransactionView) -> None:
        self.first.setdefault(view.id, time.perf_counter())

    def on_decision(self, view: TransactionView) -> None:
        self.count += 1
        self.decided.set()


def build(tmp: Path, screen: bool) -> tuple[GateRuntime, ManualClock, Issuers, Any]:
    """The gate on the demo campus; ``screen=False`` keeps the screen hidden and unplugged."""
    tmp.mkdir(parents=True, exist_ok=True)
    config_file = tmp / "kiosk.toml"
    config_file.write_text(
        f'[paths]\ndata_dir = "{tmp / "var"}"\npolicy_file = "{ROOT / "config" / "policy.toml"}"\n'
        f'[camera]\nsource = "{DEMO_CAMERA}"\n[thermometer]\nwindow_s = 0.3\n',
        encoding="utf-8",
    )
    config = load_kiosk_config(config_file)
    install_campus_key(campus_key_path(config), os.urandom(KEY_BYTES))
    store = open_store(config)
    issuers = Issuers(SigningKey.generate("EdDSA"), SigningKey.generate("ES256"))
    store.writer.replace(build_registry(issuers, store.id_key, filler=2000))
    clock = ManualClock(START + dt.timedelta(minutes=1))
    runtime = GateRuntime(config, load_policy(config.policy_file), store, clock)
    if not screen:
        runtime.service.remove_listener(runtime.service_listener)
    runtime.start()
    freeze_startup_objects()  # as `kiosk run` does once the gate is up
    if screen:
        runtime.screen.resize(1280, 800)
        runtime.screen.show()
    for device in (runtime.devices.thermometer, runtime.devices.relay):
        device.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
    return runtime, clock, issuers, store


def _spin_until(done: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents()
        time.sleep(0.001)
    return True


def _new_since(seen: dict[str, float], before: set[str]) -> bool:
    return len(set(seen) - before) > 0


def code_to_banner(runtime: GateRuntime, clock: ManualClock, iss: Issuers, n: int) -> dict:
    """Pass in front of the camera → the screen's banner and a plain listener, per code."""
    heard = _Heard()
    runtime.service.add_listener(heard)
    shown: dict[str, float] = {}

    def on_shown(state: ScreenState) -> None:
        if state.tx_id is not None:
            shown.setdefault(state.tx_id, time.perf_counter())

    runtime.screen.state_shown.connect(on_shown)
    camera = runtime.devices.capture.source
    assert isinstance(camera, SimulatedCamera)
    visit = morning()[0]
    screen_ms, bare_ms, presented_ms = [], [], []
    for _ in range(n):
        clock.advance(dt.timedelta(minutes=1))
        code = visit.show(iss, clock.now())[0]
        before = set(heard.first)
        presented = time.perf_counter()
        camera.present(code)
        if not _spin_until(functools.partial(_new_since, heard.first, before)):
            continue
        tx = (set(heard.first) - before).pop()
        if _spin_until(functools.partial(dict.__contains__, shown, tx)):
            in_view = camera.in_view_since[code]
            screen_ms.append((shown[tx] - in_view) * 1000)
            bare_ms.append((heard.first[tx] - in_view) * 1000)
            presented_ms.append((shown[tx] - presented) * 1000)
        _spin_until(lambda: runtime.service.wait_idle(0.01) and
                    runtime.service.snapshot().current is None)
        _spin_until(lambda: False, timeout_s=SHOW_S)  # the camera shows each code 0.8 s
    runtime.service.remove_listener(heard)
    return {
        "codes": len(screen_ms),
        "screen_p50_ms": round(statistics.median(screen_ms), 1),
        "screen_p95_ms": round(_percentile(screen_ms, 95), 1),
        "listener_p50_ms": round(statistics.median(bare_ms), 1),
        "listener_p95_ms": round(_percentile(bare_ms, 95), 1),
        "presented_p50_ms": round(statistics.median(presented_ms), 1),
        "presented_p95_ms": round(_percentile(presented_ms, 95), 1),
        "budget_p95_ms": 150.0,
    }


def throughput(runtime: GateRuntime, clock: ManualClock, iss: Issuers, people: int) -> dict:
    """The demo's mix as wedge scans, one person after the other, UI thread spinning; the
    stall meter runs meanwhile."""
    heard = _Heard()
    runtime.service.add_listener(heard)
    visits = [v for v in morning() if v.kind == "person"]
    meter = StallMeter()
    meter.start()
    t0 = time.perf_counter()
    done = 0
    for i in range(people):
        visit = visits[i % len(visits)]
        clock.advance(dt.timedelta(minutes=1))
        codes = visit.show(iss, clock.now())
        if codes == ["<repeat>"]:
            continue
        for code in codes:
            runtime.service.scan(code, "wedge")
            _spin_until(lambda: runtime.service.wait_idle(0.005))
            if runtime.service.snapshot().current is None:
                break
        done += 1
    elapsed = time.perf_counter() - t0
    meter.stop()
    runtime.service.remove_listener(heard)
    return {
        "people": done,
        "per_hour": round(done / elapsed * 3600),
        "worst_stall_ms": round(meter.worst_ms, 1),
    }


def rss_run(runtime: GateRuntime, clock: ManualClock, iss: Issuers, minutes: float) -> dict:
    """Camera at 15 fps (preview on when the screen is shown), a scan every 2 s; RSS after a
    30 s warm-up (or a tenth of the run) and at the end."""
    camera = runtime.devices.capture.source
    assert isinstance(camera, SimulatedCamera)
    visit = morning()[0]
    warm = min(30.0, minutes * 6)
    end = time.monotonic() + minutes * 60
    start_rss = None
    next_scan = time.monotonic()
    t_start = time.monotonic()
    while time.monotonic() < end:
        now = time.monotonic()
        if start_rss is None and now - t_start >= warm:
            start_rss = _rss_mb()
        if now >= next_scan:
            clock.advance(dt.timedelta(minutes=1))
            camera.present(visit.show(iss, clock.now())[0])
            next_scan = now + 2.0
        QCoreApplication.processEvents()
        time.sleep(0.005)
    end_rss = _rss_mb()
    return {
        "minutes": minutes,
        "rss_start_mb": round(start_rss or end_rss, 1),
        "rss_end_mb": round(end_rss, 1),
        "growth_mb": round(end_rss - (start_rss or end_rss), 1),
        "frames_shown": runtime.screen.preview.frames_shown,
    }


def main() -> None:
    """Run the benchmark and print JSON (last line)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--bare-rss", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    app = qt_application(headless=True)  # as `kiosk run` makes it: CJK font, Qt messages logged
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
        if args.bare_rss:
            runtime, clock, iss, store = build(Path(tmp), screen=False)
            try:
                print(json.dumps(rss_run(runtime, clock, iss, args.minutes)))
            finally:
                runtime.stop()
                store.close()
            return
        bare_rss = subprocess.Popen(
            [sys.executable, "-m", "scripts.bench_screen", "--bare-rss",
             "--minutes", str(args.minutes)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        result: dict[str, Any] = {"bench": "screen", "machine_cpus": os.cpu_count()}
        runtime, clock, iss, store = build(Path(tmp) / "screen", screen=True)
        try:
            result["code_to_banner"] = code_to_banner(runtime, clock, iss, args.codes)
            result["throughput_screen"] = throughput(runtime, clock, iss, args.people)
            result["rss_screen"] = rss_run(runtime, clock, iss, args.minutes)
        finally:
            runtime.stop()
            store.close()
        runtime, clock, iss, store = build(Path(tmp) / "bare", screen=False)
        try:
            result["throughput_bare"] = throughput(runtime, clock, iss, args.people)
        finally:
            runtime.stop()
            store.close()
        out, _ = bare_rss.communicate(timeout=args.minutes * 60 + 600)
        result["rss_bare"] = json.loads(out.strip().splitlines()[-1])
        result["budgets"] = {
            "code_to_banner_p95_ms": 150, "ui_stall_ms": 50, "people_per_hour": 3600,
            "rss_growth_mb": 20,
        }
    del app
    text = json.dumps(result, ensure_ascii=False)
    Path(ROOT / "bench-results").mkdir(exist_ok=True)
    (ROOT / "bench-results" / "screen.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
