"""The admin page with the registry's status: rows per table, version, last sync, backlog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from kiosk.store.outbox import Outbox
from kiosk.store.registry import RegistryStatus, registry_status
from kiosk.ui.admin.worker import SqlRunner


@dataclass(frozen=True)
class RegistryView:
    """What the page shows, read on the SQL thread."""

    status: RegistryStatus
    backlog: dict[str, int]


def read_registry_view(engine: Engine, outbox: Outbox) -> RegistryView:
    """Registry status and outbox counts per status."""
    return RegistryView(registry_status(engine), outbox.counts())


class RegistryPage(QWidget):
    """Loads :func:`read_registry_view` when shown or refreshed."""

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        runner: SqlRunner,
        tz: dt.tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine, self._outbox, self._runner, self._tz = engine, outbox, runner, tz
        self.view: RegistryView | None = None
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.version = QLabel()
        self.synced = QLabel()
        self.backlog = QLabel()
        self.table = QTableWidget(0, 2)
        self.table.verticalHeader().hide()
        self.form = QFormLayout()
        self.form_labels = [QLabel(), QLabel(), QLabel()]
        for label, field in zip(self.form_labels, (self.version, self.synced, self.backlog),
                                strict=True):
            self.form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.refresh_button)
        layout.addLayout(self.form)
        layout.addWidget(self.table, 1)
        self._retranslate()

    def refresh(self) -> None:
        """Read the status again (off the UI thread)."""
        self._runner.submit(
            read_registry_view, self._engine, self._outbox, on_done=self._loaded, label="registry"
        )

    def _loaded(self, view: RegistryView) -> None:
        self.view = view
        self._show()

    def _show(self) -> None:
        view = self.view
        if view is None:
            never = self.tr("(not read yet)")
            for label in (self.version, self.synced, self.backlog):
                label.setText(never)
            return
        s = view.status
        self.version.setText(s.version or self.tr("(none: nothing imported or synced)"))
        self.synced.setText(
            s.synced_at.astimezone(self._tz).strftime("%Y-%m-%d %H:%M:%S")
            if s.synced_at
            else self.tr("never")
        )
        self.backlog.setText(
            ", ".join(f"{k}: {v}" for k, v in sorted(view.backlog.items())) or "0"
        )
        self.table.setRowCount(len(s.counts))
        for row, (name, n) in enumerate(sorted(s.counts.items())):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(str(n)))
        self.table.resizeColumnsToContents()

    def _retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        labels = (self.tr("Registry version"), self.tr("Last synced"), self.tr("Upload backlog"))
        for label, text in zip(self.form_labels, labels, strict=True):
            label.setText(text)
        self.table.setHorizontalHeaderLabels([self.tr("Table"), self.tr("Rows")])
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
