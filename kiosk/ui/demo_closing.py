"""The demo's last pictures, taken at the end of the day when ``kiosk demo --out`` is given:
the gate screen in English (the guard's F9 switch) idle and with the day's last decision, and
every page of the admin window opened on the demo's own store."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from kiosk.config import KioskConfig
from kiosk.service import GateService
from kiosk.store import Store
from kiosk.ui.admin import AdminWindow, DeviceMonitor
from kiosk.ui.admin.screenshots import capture_pages
from kiosk.ui.gate_screen import GateScreen
from kiosk.ui.i18n import Languages
from kiosk.ui.presenter import IDLE, ScreenState, state_of

DEMO_ADMIN = "demo"
"""Who the admin window's ``admin_opened`` record names: the demo opens it without a PIN."""
SETTLE_S = 30.0
"""Longest wait for the admin window's SQL jobs before its pages are grabbed."""


def english_gate_shots(
    screen: GateScreen,
    service: GateService,
    languages: Languages,
    save: Callable[[str], Path],
) -> list[Path]:
    """Switch the screen to English as F9 does, save it idle and with the last decision
    (``save(stem)`` writes one picture), then switch back."""
    before = languages.locale
    screen.guard_action("language")
    QCoreApplication.processEvents()
    saved = [_shot(screen, IDLE, save, "idle")]
    last = service.snapshot().last
    if last is not None:
        saved.append(_shot(screen, state_of(last), save, "last"))
    screen.show_state(IDLE)
    languages.switch(before)
    QCoreApplication.processEvents()
    return saved


def _shot(screen: GateScreen, state: ScreenState, save: Callable[[str], Path], name: str) -> Path:
    screen.show_state(state)
    screen.keep_shown()  # the last person's result timer must not put idle in the picture
    screen.tick()
    QCoreApplication.processEvents()
    slug = re.sub(r"[^a-z0-9]+", "-", state.key.partition(":")[2].lower()).strip("-")
    return save(f"en-{state.kind}-{slug or name}")


def admin_shots(
    store: Store,
    config: KioskConfig,
    languages: Languages,
    today: dt.date,
    out_dir: Path,
    monitor: DeviceMonitor | None = None,
) -> list[Path]:
    """Open the admin window on ``store`` (its devices page on ``monitor``) as
    :func:`~kiosk.ui.admin.open_admin` does after a correct PIN (logged as opened by the demo)
    and save each page in both languages."""
    before = languages.locale
    window = AdminWindow(
        store, config, languages, monitor=monitor, today=today, opened_by=DEMO_ADMIN
    )
    try:
        window.show()
        window.verify_page.run()
        _settle(window)
        saved: list[Path] = []
        for locale in ("zh_CN", "en"):
            languages.switch(locale)
            _settle(window)
            saved += capture_pages(window, out_dir, locale)
        return saved
    finally:
        window.close()
        languages.switch(before)


def _settle(window: AdminWindow) -> None:
    deadline = time.monotonic() + SETTLE_S
    while window.runner.busy and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()
