"""The admin window: log browser, charts, chain verification, registry, devices."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from kiosk.config import KioskConfig
from kiosk.store import Store
from kiosk.ui.admin import query
from kiosk.ui.admin.charts_page import ChartsPage
from kiosk.ui.admin.devices_page import DevicesPage
from kiosk.ui.admin.log_page import LogPage
from kiosk.ui.admin.monitor import DeviceMonitor
from kiosk.ui.admin.registry_page import RegistryPage
from kiosk.ui.admin.verify_page import VerifyPage
from kiosk.ui.admin.worker import SqlRunner
from kiosk.ui.i18n import Languages

log = logging.getLogger(__name__)


class AdminWindow(QMainWindow):
    """The admin screen over ``store``. Construct it through :func:`kiosk.ui.admin.open_admin`
    (which asks for the PIN); constructing it logs ``admin_opened`` (with ``by`` when a caller
    without the PIN dialog, such as the demo, names itself).

    Every database call runs on its own SQL thread (:attr:`runner`); :meth:`close` stops it.
    """

    PAGES = ("log", "charts", "verify", "registry", "devices")

    def __init__(
        self,
        store: Store,
        config: KioskConfig,
        languages: Languages,
        *,
        monitor: DeviceMonitor | None = None,
        today: dt.date | None = None,
        opened_by: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.config = config
        self.languages = languages
        self.runner = SqlRunner(self)
        self.setObjectName("admin-window")
        tz = store.tz
        self.log_page = LogPage(store.log, self.runner, languages, tz, store.gate, self.audit)
        self.charts_page = ChartsPage(
            store.engine, self.runner, languages, tz, today or dt.datetime.now(tz).date()
        )
        self.verify_page = VerifyPage(query.database_url(store.engine), self.runner, self.audit)
        self.registry_page = RegistryPage(store.engine, store.outbox, self.runner, tz)
        self.devices_page = DevicesPage(monitor)
        self.tabs = QTabWidget()
        for page in self.pages():
            self.tabs.addTab(page, "")
        self.setCentralWidget(self.tabs)
        self.language_shortcut = QShortcut(QKeySequence("Ctrl+L"), self)
        self.language_shortcut.activated.connect(languages.toggle)
        self.close_shortcut = QShortcut(QKeySequence("Escape"), self)
        self.close_shortcut.activated.connect(self.close)
        self.resize(1280, 800)
        self._retranslate()
        self.audit("opened", {"by": opened_by} if opened_by else {})
        self.log_page.load_choices()
        self.log_page.model.set_filter(query.LogFilter())
        self.charts_page.refresh()
        self.registry_page.refresh()

    def pages(self) -> list[QWidget]:
        """The pages in tab order (see :attr:`PAGES`)."""
        return [
            self.log_page,
            self.charts_page,
            self.verify_page,
            self.registry_page,
            self.devices_page,
        ]

    def show_page(self, name: str) -> QWidget:
        """Bring page ``name`` (one of :attr:`PAGES`) to the front."""
        page = self.pages()[self.PAGES.index(name)]
        self.tabs.setCurrentWidget(page)
        return page

    def audit(self, action: str, details: dict[str, Any]) -> None:
        """Log an admin action (``admin_<action>``) on the SQL thread; a failure is shown."""
        self.runner.submit(
            query.record_admin_action,
            self.store.log,
            self.store.gate,
            action,
            details,
            on_done=lambda _r: None,
            on_error=self._audit_failed,
            label="audit",
        )

    def _audit_failed(self, text: str) -> None:
        log.error("admin action not logged: %s", text)
        self.statusBar().showMessage(self.tr("Could not write the log: %1").replace("%1", text))

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Gate %1 — administration").replace("%1", self.store.gate))
        titles = (
            self.tr("Log"),
            self.tr("Charts"),
            self.tr("Verify"),
            self.tr("Registry"),
            self.tr("Devices"),
        )
        for i, title in enumerate(titles):
            self.tabs.setTabText(i, title)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.devices_page.timer.stop()
        self.runner.close()
        super().closeEvent(event)
