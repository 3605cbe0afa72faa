"""`kiosk run`: the gate screen on the configured devices, store and gate service.

The composition root of the screen: config → store → devices → gate service → ID card reader
→ screen. Qt's application object is made here; everything slow runs on the devices' and the
service's own threads.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication

from drivers.camera import ScanWorker
from drivers.idcard import IdCardReader
from kiosk.config import KioskConfig
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.policy_config import Policy, load_policy
from kiosk.devices import GateDevices, open_gate_devices, scan_worker
from kiosk.runtime import (
    CodesToGate,
    RelayTurnstile,
    ThermometerReadings,
    TrustList,
    admin_pin_checker,
    build_service,
    idcard_to_gate,
    signed_code_verifier,
    start_sync,
)
from kiosk.service import GateService
from kiosk.store import Store, open_store
from kiosk.sync.status import NOT_CONFIGURED, SyncStatus
from kiosk.sync.worker import SyncWorker
from kiosk.ui.bridge import DeviceSignals, ServiceSignals
from kiosk.ui.gate_screen import GateScreen, ScreenParts
from kiosk.ui.gate_services import ScreenCompanions
from kiosk.ui.i18n import use_cjk_font
from kiosk.ui.startup import freeze_startup_objects
from kiosk.ui.wedge import WedgeFilter

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)
"""Qt's notes that say nothing to a guard (the offscreen platform's window hints)."""


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own messages go to the ``qt`` logger; known harmless ones only at debug level."""
    if message in QUIET_QT_MESSAGES:
        qt_log.debug("%s", message)
    elif mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        qt_log.error("%s", message)
    elif mode == QtMsgType.QtWarningMsg:
        qt_log.warning("%s", message)
    else:
        qt_log.debug("%s", message)


def qt_application(headless: bool) -> QApplication:
    """The QApplication (offscreen when ``headless`` or when there is no display), with a
    font that has the CJK glyphs."""
    no_display = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless or (no_display and "QT_QPA_PLATFORM" not in os.environ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        qInstallMessageHandler(_qt_message)
        app = QApplication(sys.argv[:1])
    use_cjk_font(app)
    return app


def font_family_used(font: QFont) -> str:
    """The family Qt actually renders ``font`` with."""
    return QFontInfo(font).family()


class GateRuntime:
    """Everything `kiosk run` starts, and the order it stops in."""

    def __init__(
        self,
        config: KioskConfig,
        policy: Policy,
        store: Store,
        clock: Clock,
        sync_status: Callable[[], SyncStatus] = lambda: NOT_CONFIGURED,
    ) -> None:
        self.config, self.store, self.clock = config, store, clock
        s = config.settings
        self.service_signals = ServiceSignals()
        self.device_signals = DeviceSignals()
        d = self.device_signals
        self.readings = ThermometerReadings.of(config, clock, forward=d.thermometer())
        self.devices: GateDevices = open_gate_devices(
            config,
            policy,
            camera_listener=d.camera(),
            thermometer_listener=self.readings,
            relay_listener=d.part("relay"),
        )
        self.readings.attach(self.devices.thermometer)
        capture = self.devices.capture
        d.monitor.camera_fps = lambda: capture.fps
        self.pin_checker = admin_pin_checker(config)
        self.service: GateService = build_service(
            config,
            policy,
            store,
            clock=clock,
            turnstile=RelayTurnstile(self.devices.relay, s.relay.pulse_ms),
            thermometer=self.readings,
            tick_interval_s=1.0,
            pin_checker=self.pin_checker,
        )
        self.service_listener = self.service_signals.listener()
        self.service.add_listener(self.service_listener)
        self.worker: ScanWorker = scan_worker(
            s.camera,
            self.devices.capture,
            d.scans(CodesToGate(self.service)),
            verifier=signed_code_verifier(TrustList(store), clock),
        )
        self.screen = GateScreen(
            ScreenParts(
                service=self.service,
                clock=clock,
                gate_id=s.gate.id,
                tz=ZoneInfo(s.gate.time_zone),
                override=policy.override,
                pin_checker=self.pin_checker,
                frames=self.devices.capture.latest,
                sync_status=sync_status,
            ),
            self.service_signals,
            self.device_signals,
        )
        self.wedge = WedgeFilter(self.screen)
        self.wedge.scanned.connect(self.screen.wedge_scan)
        self.card_reader: IdCardReader | None = None
        self.companions = ScreenCompanions(
            self.screen, config, store, self.pin_checker, monitor=d.monitor
        )

    def start(self) -> None:
        """Start the service, the camera, the scan worker and the ID card reader."""
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self.wedge)
        self.service.start()
        self.devices.capture.start()
        self.worker.start()
        self.card_reader = idcard_to_gate(
            self.config, self.service, self.store.id_key, self.device_signals.part("idcard")
        )

    def stop(self) -> None:
        """Stop everything, the reader and camera first, the service (finishing its work)
        next, the devices last."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.wedge)
        if self.card_reader is not None:
            self.card_reader.stop()
        self.worker.stop()
        self.service.stop()
        self.readings.close()
        self.devices.close()


def run_gate(config: KioskConfig, *, windowed: bool, headless: bool = False) -> int:
    """Run the gate screen until the window is closed (or SIGINT/SIGTERM)."""
    app = qt_application(headless)
    policy = load_policy(config.policy_file)
    store = open_store(config)
    sync: SyncWorker | None = None

    def sync_status() -> SyncStatus:
        return sync.status if sync is not None else NOT_CONFIGURED

    runtime = GateRuntime(config, policy, store, SystemClock(), sync_status)
    try:
        sync = start_sync(config, store, runtime.service)
        runtime.start()
        freeze_startup_objects()
        if windowed:
            runtime.screen.resize(1280, 800)
            runtime.screen.show()
        else:
            runtime.screen.showFullScreen()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: app.quit())
        log.info("gate screen font: %s", font_family_used(runtime.screen.font()))
        return app.exec()
    finally:
        if sync is not None:
            sync.stop()
        runtime.stop()
        store.close()
