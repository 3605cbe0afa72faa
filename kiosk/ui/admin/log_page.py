"""The admin log browser: filters, search by person or approval number, a paged table, the
detail of one record, and CSV export. Every search and export is logged."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QModelIndex, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.store.log import DecisionLog
from kiosk.ui.admin import query
from kiosk.ui.admin.log_model import WIDTHS, LogTableModel, column_of, word
from kiosk.ui.admin.query import LogFilter
from kiosk.ui.admin.worker import SqlRunner
from kiosk.ui.i18n import Languages

FILTER_KEYS = ("kind", "outcome", "reason", "role", "direction", "gate")


class LogPage(QWidget):
    """The log browser over ``log`` (the model pages from SQL on ``runner``'s thread)."""

    exported = Signal(int, str)  # records, file

    def __init__(
        self,
        log: DecisionLog,
        runner: SqlRunner,
        languages: Languages,
        tz: dt.tzinfo,
        gate: str,
        audit: Callable[[str, dict[str, Any]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._log, self._runner, self._languages, self._tz = log, runner, languages, tz
        self._gate, self._audit = gate, audit
        self.model = LogTableModel(log.engine, runner, languages, tz, parent=self)
        self.model.total_changed.connect(lambda _n: self._show_status())
        self.model.page_loaded.connect(lambda _n: self._show_status())
        self.model.failed.connect(self._failed)
        self.choices: dict[str, list[str]] = {k: [] for k in FILTER_KEYS}

        self.use_range = QCheckBox()
        self.start = QDateTimeEdit()
        self.end = QDateTimeEdit()
        zone = QTimeZone(str(tz).encode())
        now = dt.datetime.now(tz)
        midnight = dt.datetime.combine(now.date(), dt.time(), tzinfo=tz)
        for edit, value in ((self.start, midnight - dt.timedelta(days=1)), (self.end, midnight
                                                                          + dt.timedelta(days=1))):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
            edit.setTimeZone(zone)
            edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(value.timestamp()), zone))
        self.combos = {key: QComboBox() for key in FILTER_KEYS}
        for key, combo in self.combos.items():
            combo.setObjectName(f"filter-{key}")
            combo.setMinimumContentsLength(8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.apply)
        self.apply_button = QPushButton()
        self.apply_button.clicked.connect(self.apply)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self._ask_export)
        self.status = QLabel()
        self.status.setObjectName("log-status")

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line per cell: far cheaper to lay out and paint
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setStretchLastSection(True)
        for key, width in WIDTHS.items():
            self.table.setColumnWidth(column_of(key), width)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setObjectName("record-detail")

        self.labels = {key: QLabel() for key in (*FILTER_KEYS, "search", "from", "to")}
        grid = QGridLayout()
        grid.addWidget(self.use_range, 0, 0)
        grid.addWidget(self.labels["from"], 0, 1)
        grid.addWidget(self.start, 0, 2)
        grid.addWidget(self.labels["to"], 0, 3)
        grid.addWidget(self.end, 0, 4)
        grid.addWidget(self.labels["search"], 0, 5)
        grid.addWidget(self.search, 0, 6, 1, 3)
        for i, key in enumerate(FILTER_KEYS):
            row, col = 1 + i // 3, (i % 3) * 2 + 1
            grid.addWidget(self.labels[key], row, col)
            grid.addWidget(self.combos[key], row, col + 1)
        buttons = QHBoxLayout()
        for b in (self.apply_button, self.clear_button, self.export_button):
            buttons.addWidget(b)
        buttons.addWidget(self.status, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        languages.changed.connect(self._language_changed)
        self._retranslate()

    # ----------------------------------------------------------------- actions
    def load_choices(self) -> None:
        """Read the values present in the log for the filter lists (off the UI thread)."""
        self._runner.submit(
            query.filter_choices, self._log.engine, on_done=self._choices, label="choices"
        )

    def current_filter(self) -> LogFilter:
        """The filter the widgets describe."""
        values = {key: self.combos[key].currentData() or "" for key in FILTER_KEYS}
        start = end = None
        if self.use_range.isChecked():
            start = dt.datetime.fromtimestamp(self.start.dateTime().toSecsSinceEpoch(), dt.UTC)
            end = dt.datetime.fromtimestamp(self.end.dateTime().toSecsSinceEpoch(), dt.UTC)
        return LogFilter(
            start=start,
            end=end,
            search=self.search.text().strip(),
            sort=self.model.filter.sort,
            descending=self.model.filter.descending,
            **values,
        )

    def apply(self) -> None:
        """Show the records the filters select, and log the search."""
        flt = self.current_filter()
        self.detail.clear()
        self.model.set_filter(flt)
        self._audit("search", {"filter": flt.describe()})

    def set_filter(self, flt: LogFilter) -> None:
        """Set the widgets to ``flt`` and apply it (used by tests and the demo)."""
        for key in FILTER_KEYS:
            combo = self.combos[key]
            value = getattr(flt, key)
            i = combo.findData(value) if value else 0
            if i < 0:
                combo.addItem(value, value)
                i = combo.count() - 1
            combo.setCurrentIndex(i)
        self.search.setText(flt.search)
        self.use_range.setChecked(flt.start is not None or flt.end is not None)
        zone = self.start.timeZone()
        if flt.start is not None:
            self.start.setDateTime(QDateTime.fromSecsSinceEpoch(int(flt.start.timestamp()), zone))
        if flt.end is not None:
            self.end.setDateTime(QDateTime.fromSecsSinceEpoch(int(flt.end.timestamp()), zone))
        self.apply()

    def clear(self) -> None:
        """Drop every filter."""
        self.set_filter(LogFilter())

    def export_to(self, path: Path) -> None:
        """Export the records of the current filter to ``path`` (CSV; off the UI thread)."""
        flt = self.model.filter
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting…"))

        def done(n: int) -> None:
            self.export_button.setEnabled(True)
            self.status.setText(
                self.tr("%n record(s) exported to %1", "", n).replace("%1", str(path))
            )
            self.exported.emit(n, str(path))

        def failed(text: str) -> None:
            self.export_button.setEnabled(True)
            self.status.setText(self.tr("Export failed: %1").replace("%1", text))

        self._runner.submit_process(
            query.export_csv_at, query.database_url(self._log.engine), flt, path, self._gate,
            on_done=done, on_error=failed, label="export",
        )

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export CSV"), "gate-log.csv", self.tr("CSV files (*.csv)")
        )
        if name:
            self.export_to(Path(name))

    # ------------------------------------------------------------------ slots
    def _language_changed(self, _locale: str) -> None:
        self._fill_combos()
        self._current_changed(self.table.currentIndex(), QModelIndex())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        seq = self.model.row(current.row()).seq
        self._runner.submit(
            query.record_detail, self._log.engine, seq, on_done=self._detail, label="detail"
        )

    def _detail(self, detail: dict[str, Any] | None) -> None:
        if detail is None:
            self.detail.setPlainText(self.tr("This record is no longer in the log."))
            return
        payload = detail.get("payload")
        lines = []
        if isinstance(payload, dict) and payload.get("reasons"):
            lines.append(self.tr("Reasons:"))
            lines.extend(f"  {r}: {self._languages.reason(r)}" for r in payload["reasons"])
            lines.append("")
        lines.append(json.dumps(detail, ensure_ascii=False, indent=2, default=str))
        self.detail.setPlainText("\n".join(lines))

    def _choices(self, choices: dict[str, list[str]]) -> None:
        self.choices = choices
        self._fill_combos()

    def _fill_combos(self) -> None:
        for key, combo in self.combos.items():
            current = combo.currentData() or ""
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("(any)"), "")
            for value in self.choices.get(key, []):
                text = self._languages.reason(value) if key == "reason" else word(value)
                combo.addItem(text, value)
            i = combo.findData(current)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

    def _show_status(self) -> None:
        shown = self.model.rowCount()
        total = self.model.total
        if total is None:
            self.status.setText(self.tr("%n record(s) loaded, counting…", "", shown))
        else:
            self.status.setText(
                self.tr("%n record(s) match", "", total)
                + self.tr(" (%1 loaded)").replace("%1", str(shown))
            )

    def _failed(self, text: str) -> None:
        self.status.setText(self.tr("Database error: %1").replace("%1", text))

    def _retranslate(self) -> None:
        texts = {
            "kind": self.tr("Kind"),
            "outcome": self.tr("Decision"),
            "reason": self.tr("Reason"),
            "role": self.tr("Role"),
            "direction": self.tr("Direction"),
            "gate": self.tr("Gate"),
            "search": self.tr("Person / approval no."),
            "from": self.tr("From"),
            "to": self.tr("to"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.use_range.setText(self.tr("Time range"))
        self.search.setPlaceholderText(self.tr("exact number, then Enter"))
        self.apply_button.setText(self.tr("Search"))
        self.clear_button.setText(self.tr("Clear"))
        self.export_button.setText(self.tr("Export CSV…"))
        self._fill_combos()
        self._show_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
