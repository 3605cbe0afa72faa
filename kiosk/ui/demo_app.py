"""`kiosk demo`: the scripted demo day played on the gate screen.

The day (:mod:`kiosk.demo.day`) runs on its own thread, driving the simulated camera, ID card
reader and thermometer; the screen observes the gate service like at a real gate. In a window
each visit stays up for ``dwell_s / speed`` seconds; offscreen (no display, or ``--headless``)
the day runs as fast as the simulated devices allow. With ``out`` the screen saves one
screenshot of every distinct state, and a JSON and Markdown report of the day.
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from kiosk.config import KioskConfig
from kiosk.core.policy_config import load_policy
from kiosk.core.reasons import Reason
from kiosk.demo.cast import DAY, Visit
from kiosk.demo.day import DemoDay, Watchers
from kiosk.demo.report import DayReport
from kiosk.runtime import admin_pin_checker
from kiosk.ui.app import qt_application
from kiosk.ui.bridge import DeviceSignals, ServiceSignals
from kiosk.ui.demo_closing import admin_shots, english_gate_shots
from kiosk.ui.gate_screen import GateScreen, ScreenParts
from kiosk.ui.i18n import Languages
from kiosk.ui.presenter import ScreenState
from kiosk.ui.startup import freeze_startup_objects

log = logging.getLogger(__name__)
DWELL_S = 3.0
"""Seconds each visit stays on the screen in a window at ``--speed 1``."""
WINDOW_SIZE = (1280, 800)


class Screenshots(QObject):
    """Saves the screen once per distinct state (by :attr:`ScreenState.key`) into ``out``."""

    def __init__(self, screen: GateScreen, out: Path, report: DayReport) -> None:
        super().__init__(screen)
        self.screen, self.out, self.report = screen, out, report
        self.seen: set[str] = set()
        out.mkdir(parents=True, exist_ok=True)
        screen.state_shown.connect(self.shot)

    def shot(self, state: ScreenState) -> None:
        """Grab the screen now if ``state`` looks like nothing saved before."""
        if state.key in self.seen:
            return
        self.seen.add(state.key)
        self.save(f"{len(self.seen):02d}-{state.kind}-{_slug(state.key.partition(':')[2])}")

    def save(self, stem: str) -> Path:
        """Lay the screen out and save it as ``stem.png``."""
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        path = self.out / f"{stem}.png"
        self.screen.grab().save(str(path))
        self.report.screenshots.append(path.name)
        return path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "none"


class _Finished(QObject):
    done = Signal(int)


class QtDemo:
    """The demo day on the gate screen."""

    def __init__(
        self,
        config: KioskConfig,
        data_dir: Path,
        out: TextIO,
        *,
        filler: int,
        headless: bool,
        speed: float,
        out_dir: Path | None,
    ) -> None:
        self.app = qt_application(headless)
        self.offscreen = QApplication.platformName() == "offscreen"
        self.dwell_s = 0.0 if self.offscreen else DWELL_S / speed
        self.service_signals = ServiceSignals()
        self.device_signals = DeviceSignals()
        d = self.device_signals
        watch = Watchers(
            camera=d.camera(),
            thermometer=d.thermometer(),
            relay=d.part("relay"),
            idcard=d.part("idcard"),
            scans=d.scans,
            after_visit=self._after_visit,
        )
        self.day = DemoDay(config, data_dir, out, filler, watch)
        capture = self.day.capture
        d.monitor.camera_fps = lambda: capture.fps
        self.report = DayReport()
        self.day.service.add_listener(self.service_signals.listener())
        self.day.service.add_listener(self.report)
        cfg = self.day.config
        self.screen = GateScreen(
            ScreenParts(
                service=self.day.service,
                clock=self.day.clock,
                gate_id=cfg.settings.gate.id,
                tz=ZoneInfo(cfg.settings.gate.time_zone),
                override=load_policy(cfg.policy_file).override,
                pin_checker=admin_pin_checker(cfg),
                frames=self.day.capture.latest,
                sync_status=lambda: self.day.sync.status,
                hold_s=max(self.dwell_s, 0.5),
            ),
            self.service_signals,
            self.device_signals,
        )
        self.screen.resize(*WINDOW_SIZE)
        self.languages = Languages(cfg.settings.gate.locale, self.screen)
        self.screen.language_requested.connect(self.languages.toggle)
        self.out_dir = out_dir
        self.shots = Screenshots(self.screen, out_dir, self.report) if out_dir else None
        self.finished = _Finished()
        self.finished.done.connect(self._end)
        self.status = 1

    def _after_visit(self, visit: Visit) -> None:
        """On the demo's thread: the guard acknowledges a fever; then the visit stays up."""
        last = self.day.service.snapshot().last
        if last is not None and Reason.FEVER in last.reasons and not last.fever_acknowledged:
            time.sleep(self.dwell_s)
            self.day.service.ack_fever(last.id)
            self.day.service.wait_idle(10)
        time.sleep(self.dwell_s)

    def _play(self) -> None:
        status = 1
        try:
            status = self.day.run()
        except Exception:  # noqa: BLE001 - reported, and the window still closes
            log.exception("the demo day failed")
        finally:
            self.finished.done.emit(status)

    def _end(self, status: int) -> None:
        self.status = status
        if self.shots is not None and self.out_dir is not None:
            self._closing_shots(self.shots, self.out_dir)
        QTimer.singleShot(int(self.dwell_s * 1000) + 100, self.app.quit)

    def _closing_shots(self, shots: Screenshots, out_dir: Path) -> None:
        """The gate screen in English and the admin pages, once the day is over."""
        try:
            english_gate_shots(self.screen, self.day.service, self.languages, shots.save)
            pages = admin_shots(
                self.day.store, self.day.config, self.languages, DAY, out_dir,
                self.device_signals.monitor,
            )
            self.report.screenshots += [p.name for p in pages]
        except Exception:  # noqa: BLE001 - reported; the day's result stands
            log.exception("the closing screenshots failed")
            self.status = self.status or 1

    def run(self) -> int:
        """Play the day in the window (or offscreen) and return the exit status."""
        freeze_startup_objects()
        self.screen.show()
        player = threading.Thread(target=self._play, name="demo-day", daemon=True)
        QTimer.singleShot(0, player.start)
        try:
            self.app.exec()
        finally:
            player.join(60)
            self.day.close()
            self.screen.close()
            self.screen.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if self.out_dir is not None:
            json_path, md_path = self.report.write(self.out_dir)
            print(f"report: {md_path} and {json_path}", file=self.day.out)
            print(
                f"screenshots: {len(self.report.screenshots)} in {self.out_dir}", file=self.day.out
            )
        return self.status


def run_qt_demo(
    config: KioskConfig,
    data_dir: Path,
    *,
    keep: bool,
    filler: int,
    headless: bool,
    speed: float,
    out_dir: Path | None,
    out: TextIO = sys.stdout,
) -> int:
    """Play the demo day on the gate screen (``data_dir`` emptied first unless ``keep``)."""
    if data_dir.exists() and not keep:
        shutil.rmtree(data_dir)
    demo = QtDemo(
        config, data_dir, out, filler=filler, headless=headless, speed=speed, out_dir=out_dir
    )
    return demo.run()
