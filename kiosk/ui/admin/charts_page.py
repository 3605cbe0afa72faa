"""The admin page with one day's charts (QtCharts): admits and rejects per hour, overrides
per hour, and the top reject reasons. The numbers are counted by the database
(:func:`kiosk.ui.admin.query.day_stats`) on the SQL thread."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import Engine

from kiosk.ui.admin import query
from kiosk.ui.admin.query import DayStats
from kiosk.ui.admin.worker import SqlRunner
from kiosk.ui.i18n import Languages

LABEL_CHARS = 32


def short(text: str) -> str:
    """A reason text cut to fit beside a bar (the first clause, at most 32 characters)."""
    for stop in ("；", "，", ",", ";"):
        text = text.split(stop)[0]
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


class ChartsPage(QWidget):
    """A day picker and three charts; :attr:`stats` is what they show."""

    def __init__(
        self,
        engine: Engine,
        runner: SqlRunner,
        languages: Languages,
        tz: dt.tzinfo,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine, self._runner, self._languages, self._tz = engine, runner, languages, tz
        self.stats: DayStats | None = None
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.day_label = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.totals = QLabel()
        self.totals.setObjectName("chart-totals")
        self.hourly = QChartView()
        self.reasons = QChartView()
        for view in (self.hourly, self.reasons):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(220)
        bar = QHBoxLayout()
        bar.addWidget(self.day_label)
        bar.addWidget(self.day)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.totals, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.hourly, 3)
        layout.addWidget(self.reasons, 2)
        languages.changed.connect(lambda _l: self._draw())
        self._retranslate()

    def selected_day(self) -> dt.date:
        """The day the charts are for."""
        d = self.day.date()
        return dt.date(d.year(), d.month(), d.day())

    def set_day(self, day: dt.date) -> None:
        """Chart ``day`` (refreshes)."""
        self.day.setDate(QDate(day.year, day.month, day.day))

    def refresh(self) -> None:
        """Count the chosen day again (off the UI thread)."""
        self._runner.submit(
            query.day_stats, self._engine, self.selected_day(), self._tz,
            on_done=self._loaded, label="charts",
        )

    def _loaded(self, stats: DayStats) -> None:
        if stats.day != self.selected_day():
            return  # the admin picked another day meanwhile
        self.stats = stats
        self._draw()

    def _draw(self) -> None:
        stats = self.stats
        if stats is None:
            self.totals.setText(self.tr("Loading…"))
            return
        self.totals.setText(
            self.tr("Admitted %1 · refused %2 · overrides %3")
            .replace("%1", str(stats.total_admits))
            .replace("%2", str(stats.total_rejects))
            .replace("%3", str(stats.total_overrides))
        )
        self.hourly.setChart(self._hourly_chart(stats))
        self.reasons.setChart(self._reasons_chart(stats))

    def _hourly_chart(self, stats: DayStats) -> QChart:
        chart = QChart()
        chart.setTitle(self.tr("Decisions per hour"))
        series = QBarSeries()
        for name, values, colour in (
            (self.tr("Admitted"), stats.admits, "#2e7d32"),
            (self.tr("Refused"), stats.rejects, "#c62828"),
            (self.tr("Overrides"), stats.overrides, "#f9a825"),
        ):
            bars = QBarSet(name)
            bars.append([float(v) for v in values])
            bars.setColor(QColor(colour))
            series.append(bars)
        chart.addSeries(series)
        hours = QBarCategoryAxis()
        hours.append([f"{h:02d}" for h in range(24)])
        chart.addAxis(hours, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(hours)
        counts = QValueAxis()
        counts.setRange(0, max(4, *stats.admits, *stats.rejects, *stats.overrides))
        counts.applyNiceNumbers()
        counts.setLabelFormat("%d")
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(counts)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        return chart

    def _reasons_chart(self, stats: DayStats) -> QChart:
        chart = QChart()
        chart.setTitle(self.tr("Top reasons for refusal"))
        series = QHorizontalBarSeries()
        bars = QBarSet(self.tr("Refusals"))
        bars.setColor(QColor("#c62828"))
        top = list(reversed(stats.top_reasons))  # the largest at the top
        bars.append([float(n) for _r, n in top])
        series.append(bars)
        chart.addSeries(series)
        names = QBarCategoryAxis()
        names.append([short(self._languages.reason(r)) for r, _n in top] or [" "])
        names.setTruncateLabels(False)
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(names)
        counts = QValueAxis()
        counts.setRange(0, max([4, *(n for _r, n in top)]))
        counts.applyNiceNumbers()
        counts.setLabelFormat("%d")
        chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(counts)
        chart.legend().hide()
        return chart

    def _retranslate(self) -> None:
        self.day_label.setText(self.tr("Day"))
        self.refresh_button.setText(self.tr("Refresh"))
        self._draw()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
