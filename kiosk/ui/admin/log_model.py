"""The log browser's table model: pages of the filtered, sorted log fetched from SQL on the
admin SQL thread, appended as the view scrolls (``canFetchMore``/``fetchMore``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from sqlalchemy import Engine

from kiosk.ui.admin import query
from kiosk.ui.admin.query import LogFilter, LogRow
from kiosk.ui.admin.worker import SqlRunner
from kiosk.ui.i18n import Languages

Index = QModelIndex | QPersistentModelIndex

# column key, sort key in SQL ("" = not sortable)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", "seq"),
    ("at", "at"),
    ("kind", "kind"),
    ("outcome", "outcome"),
    ("person", "person_no"),
    ("name", ""),
    ("role", "role"),
    ("direction", "direction"),
    ("gate", ""),
    ("reasons", ""),
)
WIDTHS = {"seq": 70, "at": 150, "kind": 80, "outcome": 60, "person": 110, "name": 60,
          "role": 90, "direction": 60, "gate": 60}


def column_of(key: str) -> int:
    """The column number of ``key``."""
    return [k for k, _sort in COLUMNS].index(key)
OUTCOME_COLOURS = {"admit": "#e3f4e1", "reject": "#fbe3e1", "pending": "#fdf1d6"}


def header_text(key: str) -> str:
    """The translated header of column ``key``."""
    return {
        "seq": QCoreApplication.translate("AdminLog", "No."),
        "at": QCoreApplication.translate("AdminLog", "Time"),
        "kind": QCoreApplication.translate("AdminLog", "Kind"),
        "outcome": QCoreApplication.translate("AdminLog", "Decision"),
        "person": QCoreApplication.translate("AdminLog", "Person / approval"),
        "name": QCoreApplication.translate("AdminLog", "Name"),
        "role": QCoreApplication.translate("AdminLog", "Role"),
        "direction": QCoreApplication.translate("AdminLog", "Direction"),
        "reasons": QCoreApplication.translate("AdminLog", "Reasons / event"),
        "gate": QCoreApplication.translate("AdminLog", "Gate"),
    }[key]


def word(value: str) -> str:
    """A stored vocabulary word (outcome, kind, direction, role) in the current language."""
    return words().get(value, value)


def words() -> dict[str, str]:
    """Every vocabulary word the log shows, translated into the current language."""
    return {
        "admit": QCoreApplication.translate("AdminLog", "admit"),
        "reject": QCoreApplication.translate("AdminLog", "reject"),
        "pending": QCoreApplication.translate("AdminLog", "pending"),
        "decision": QCoreApplication.translate("AdminLog", "decision"),
        "audit": QCoreApplication.translate("AdminLog", "audit"),
        "device": QCoreApplication.translate("AdminLog", "device"),
        "purge": QCoreApplication.translate("AdminLog", "purge"),
        "in": QCoreApplication.translate("AdminLog", "in"),
        "out": QCoreApplication.translate("AdminLog", "out"),
        "student": QCoreApplication.translate("AdminLog", "student"),
        "staff": QCoreApplication.translate("AdminLog", "staff"),
        "contractor": QCoreApplication.translate("AdminLog", "contractor"),
        "courier_fixed": QCoreApplication.translate("AdminLog", "courier_fixed"),
        "courier_temp": QCoreApplication.translate("AdminLog", "courier_temp"),
        "delivery": QCoreApplication.translate("AdminLog", "delivery"),
        "visitor": QCoreApplication.translate("AdminLog", "visitor"),
    }


class LogTableModel(QAbstractTableModel):
    """Rows of the log matching a :class:`LogFilter`, loaded a page at a time off the UI thread.

    ``total_changed(n)`` reports the number of matching records once counted; ``loading(bool)``
    whether a page is being fetched; ``failed(text)`` a database error.
    """

    total_changed = Signal(int)
    loading = Signal(bool)
    failed = Signal(str)
    page_loaded = Signal(int)

    def __init__(
        self,
        engine: Engine,
        runner: SqlRunner,
        languages: Languages,
        tz: dt.tzinfo,
        *,
        page_size: int = query.PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.runner = runner
        self.languages = languages
        self.tz = tz
        self.page_size = page_size
        self.filter = LogFilter()
        self.total: int | None = None
        self._rows: list[LogRow] = []
        self._texts: list[tuple[str, ...] | None] = []  # display texts, made when first shown
        self._words = words()
        self._brushes = {k: QBrush(QColor(v)) for k, v in OUTCOME_COLOURS.items()}
        self._generation = 0
        self._fetching = False
        self._exhausted = False
        languages.changed.connect(self._retranslate)

    # ---------------------------------------------------------------- queries
    def set_filter(self, flt: LogFilter) -> None:
        """Show the records matching ``flt`` (first page and the count are fetched)."""
        self._generation += 1
        self.beginResetModel()
        self.filter = flt
        self._rows = []
        self._texts = []
        self._exhausted = False
        self._fetching = False
        self.total = None
        self.endResetModel()
        generation = self._generation
        self.runner.submit(
            query.count,
            self.engine,
            flt,
            on_done=lambda n: self._counted(generation, n),
            on_error=self.failed.emit,
            label="count",
        )
        self._request_page()

    def reload(self) -> None:
        """Fetch again with the same filter (new records appear)."""
        self.set_filter(self.filter)

    def row(self, index: int) -> LogRow:
        """The loaded row at ``index``."""
        return self._rows[index]

    @property
    def fetching(self) -> bool:
        """True while a page is on its way."""
        return self._fetching

    def _request_page(self) -> None:
        if self._fetching or self._exhausted:
            return
        self._fetching = True
        self.loading.emit(True)
        generation = self._generation
        self.runner.submit(
            query.fetch_page,
            self.engine,
            self.filter,
            len(self._rows),
            self.page_size,
            on_done=lambda rows: self._page(generation, rows),
            on_error=self._failed,
            label="page",
        )

    def _page(self, generation: int, rows: list[LogRow]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.loading.emit(False)
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self._texts.extend([None] * len(rows))
            self.endInsertRows()
        self.page_loaded.emit(len(self._rows))

    def _counted(self, generation: int, n: int) -> None:
        if generation == self._generation:
            self.total = n
            self.total_changed.emit(n)

    def _failed(self, text: str) -> None:
        self._fetching = False
        self._exhausted = True
        self.loading.emit(False)
        self.failed.emit(text)

    def _retranslate(self, _locale: str) -> None:
        self._words = words()
        self._texts = [None] * len(self._rows)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            last = self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # ------------------------------------------------------------ Qt's model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self._request_page()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return header_text(COLUMNS[section][0])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: keep it a lookup.
        if role == Qt.ItemDataRole.DisplayRole:
            n = index.row()
            texts = self._texts[n]
            if texts is None:
                row = self._rows[n]
                texts = self._texts[n] = tuple(self._text(row, key) for key, _s in COLUMNS)
            return texts[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brushes.get(self._rows[index.row()].outcome or "")
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].seq
        return None

    def _text(self, row: LogRow, key: str) -> str:
        if key == "seq":
            return str(row.seq)
        if key == "at":
            return row.at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")
        w = self._words
        if key == "kind":
            return w.get(row.kind, row.kind)
        if key == "outcome":
            return w.get(row.outcome, row.outcome) if row.outcome else ""
        if key == "person":
            return row.person_no or row.approval_no
        if key == "name":
            return row.name_masked
        if key == "role":
            return w.get(row.role, row.role)
        if key == "direction":
            return w.get(row.direction, row.direction)
        if key == "reasons":
            return self.languages.reasons(list(row.reasons)) if row.reasons else row.event
        return row.gate

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if not key:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self.filter.sort and descending == self.filter.descending:
            return
        self.set_filter(dataclasses.replace(self.filter, sort=key, descending=descending))
