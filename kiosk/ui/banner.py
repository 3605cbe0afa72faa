"""The result banner: admit green, reject red, pending amber, fever red until acknowledged.

Large type for reading from two metres: title, reasons and prompt in Chinese, then English;
below, the temperature, the masked person and the ID card's masked summary.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.ui.presenter import BannerKind, ScreenState, countdown

COLOURS: dict[BannerKind, tuple[str, str]] = {
    "idle": ("#263238", "#ffffff"),
    "admit": ("#1b8e3e", "#ffffff"),
    "reject": ("#c62828", "#ffffff"),
    "pending": ("#f9a825", "#1a1a1a"),
    "fever": ("#b71c1c", "#ffeb3b"),
}
"""Banner background and text colour per kind."""


def _label(point_size: int, bold: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    font = label.font()
    font.setPointSize(point_size)
    font.setBold(bold)
    label.setFont(font)
    return label


class ResultBanner(QFrame):
    """Shows one :class:`ScreenState`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAutoFillBackground(True)
        self.title_zh = _label(56, bold=True)
        self.title_en = _label(28, bold=True)
        self.reasons = _label(22)
        self.prompt = _label(28, bold=True)
        self.countdown = _label(36, bold=True)
        self.temperature = _label(32, bold=True)
        self.person = _label(20)
        self.card = _label(18)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        for w in (self.title_zh, self.title_en, self.reasons, self.prompt, self.countdown):
            layout.addWidget(w)
        layout.addStretch(1)
        for w in (self.temperature, self.person, self.card):
            layout.addWidget(w)
        self.state: ScreenState | None = None

    def show_state(self, state: ScreenState, now: dt.datetime) -> None:
        """Paint ``state``; ``now`` (the gate's clock) runs the escort countdown."""
        self.state = state
        bg, fg = COLOURS[state.kind]
        palette = self.palette()  # a palette, not a style sheet: re-polishing is slow
        palette.setColor(QPalette.ColorRole.Window, QColor(bg))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(fg))
        self.setPalette(palette)
        self.title_zh.setText(state.title[0])
        self.title_en.setText(state.title[1])
        lines = [f"{zh}<br><small>{en}</small>" for zh, en in state.reasons]
        lines += [f"⚠ {zh}<br><small>{en}</small>" for zh, en in state.warnings]
        self.reasons.setText("<br>".join(lines))
        self.reasons.setVisible(bool(lines))
        self.prompt.setText(f"{state.prompt[0]}<br>{state.prompt[1]}" if state.prompt else "")
        self.prompt.setVisible(state.prompt is not None)
        self.temperature.setText(state.temperature)
        self.temperature.setVisible(bool(state.temperature))
        self.person.setText(state.person)
        self.person.setVisible(bool(state.person))
        self.card.setText(state.card)
        self.card.setVisible(bool(state.card))
        self.tick(now)

    def tick(self, now: dt.datetime) -> None:
        """Refresh the escort countdown."""
        deadline = self.state.escort_deadline if self.state else None
        self.countdown.setVisible(deadline is not None)
        if deadline is not None:
            self.countdown.setText(f"{countdown(deadline, now)}  剩余 left")
