"""Asking for the admin PIN before the admin screen opens (lockout by the PIN checker)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.admin_pin import PinChecker


class PinDialog(QDialog):
    """A PIN prompt: accepted only for the right PIN; a locked checker says so and refuses."""

    def __init__(self, checker: PinChecker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checker = checker
        self.failures = 0
        self.prompt = QLabel()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setValidator(QRegularExpressionValidator(r"\d{0,32}"))
        self.pin.setObjectName("admin-pin")
        self.message = QLabel()
        self.message.setObjectName("admin-pin-message")
        self.message.setStyleSheet("color: #b3261e")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_pin)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.prompt, self.pin, self.message, self.buttons):
            layout.addWidget(widget)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self._retranslate()
        self._show_lock()

    def try_pin(self) -> bool:
        """Check the typed PIN; accept the dialog when right. Returns whether it was."""
        if self.checker.locked:
            self._show_lock()
            return False
        if self.checker.check(self.pin.text()):
            self.accept()
            return True
        self.failures += 1
        self.pin.clear()
        if not self._show_lock():
            self.message.setText(self.tr("Wrong PIN."))
        return False

    def _show_lock(self) -> bool:
        locked = self.checker.locked
        self.pin.setEnabled(not locked)
        if locked:
            self.message.setText(self.tr("Too many wrong PINs: the admin screen is locked."))
        return locked

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Admin PIN"))
        self.prompt.setText(self.tr("Enter the admin PIN:"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
