"""The kiosk's admin screen (behind the admin PIN): log browser, charts, chain verification,
registry status, devices. The gate screen calls :func:`open_admin`."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QWidget

from kiosk.admin_pin import PinChecker
from kiosk.config import KioskConfig
from kiosk.store import Store
from kiosk.ui.admin.monitor import DeviceMonitor, ScanTap, ThermometerTap
from kiosk.ui.admin.pin_dialog import PinDialog
from kiosk.ui.admin.window import AdminWindow
from kiosk.ui.i18n import Languages

__all__ = [
    "AdminWindow",
    "DeviceMonitor",
    "PinDialog",
    "ScanTap",
    "ThermometerTap",
    "open_admin",
]


def open_admin(
    store: Store,
    config: KioskConfig,
    checker: PinChecker,
    languages: Languages,
    *,
    monitor: DeviceMonitor | None = None,
    parent: QWidget | None = None,
    today: dt.date | None = None,
) -> AdminWindow | None:
    """Ask for the admin PIN (modal) and open the admin window; None when cancelled, wrong or
    locked out. The caller shows the window (``window.show()``) and keeps a reference."""
    dialog = PinDialog(checker, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return AdminWindow(store, config, languages, monitor=monitor, today=today)
