"""The guard's panel (touch buttons, each with a keyboard shortcut) and its two dialogs.

Every action goes to the gate service, which logs it (``direction_changed``,
``retest_requested``, ``guard_confirmed``, ``fever_acknowledged``, the override and the host
confirmation in the decision, each refusal as ``<action>_refused``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from kiosk.core.reasons import message

ACTIONS = (
    "direction",
    "manual",
    "retest",
    "override",
    "host",
    "fever",
    "confirm",
    "language",
    "admin",
)
SHORTCUTS = {
    "direction": "F2",
    "manual": "F3",
    "retest": "F4",
    "override": "F5",
    "host": "F6",
    "fever": "F7",
    "confirm": "F8",
    "language": "F9",
    "admin": "F12",
}
ENTRY_KINDS = ("id_number", "person_no", "approval_no", "plate")


class GuardPanel(QWidget):
    """A row of large buttons; ``action(name)`` fires on a click or the button's shortcut."""

    action = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.buttons: dict[str, QPushButton] = {}
        for name in ACTIONS:
            button = QPushButton()
            button.setMinimumHeight(64)
            font = button.font()
            font.setPointSize(16)
            button.setFont(font)
            button.clicked.connect(lambda _=False, n=name: self.action.emit(n))
            # a QShortcut, not the button's own: setText would reset that one
            shortcut = QShortcut(QKeySequence(SHORTCUTS[name]), self)
            shortcut.activated.connect(lambda n=name: self.action.emit(n))
            layout.addWidget(button)
            self.buttons[name] = button
        self.retranslate()

    def retranslate(self) -> None:
        """Set the buttons' words in the current language."""
        words = {
            "direction": self.tr("Switch direction"),
            "manual": self.tr("Manual entry"),
            "retest": self.tr("Retest"),
            "override": self.tr("Override"),
            "host": self.tr("Host confirmed"),
            "fever": self.tr("Acknowledge fever"),
            "confirm": self.tr("Confirm"),
            "language": self.tr("中文 / English"),
            "admin": self.tr("Admin"),
        }
        for name, button in self.buttons.items():
            button.setText(f"{words[name]}\n{SHORTCUTS[name]}")


def _big(widget: QWidget) -> QWidget:
    font = widget.font()
    font.setPointSize(18)
    widget.setFont(font)
    return widget


class ManualEntryDialog(QDialog):
    """Type an ID number, person number, approval number or a vehicle's number plate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Manual entry"))
        self.kind = QComboBox()
        labels = (
            self.tr("ID number"),
            self.tr("Person number"),
            self.tr("Approval number"),
            self.tr("Number plate"),
        )
        for kind, label in zip(ENTRY_KINDS, labels, strict=True):
            self.kind.addItem(label, kind)
        self.text = QLineEdit()
        form = QFormLayout(self)
        form.addRow(self.tr("Kind"), _big(self.kind))
        form.addRow(self.tr("Number"), _big(self.text))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def entry(self) -> tuple[str, str]:
        """The chosen kind (``id_number`` / ``person_no`` / ``approval_no`` / ``plate``) and
        the text."""
        return str(self.kind.currentData()), self.text.text().strip()


class OverrideDialog(QDialog):
    """Pick an override reason; hard rules also need the admin PIN."""

    def __init__(
        self,
        reasons: Sequence[str],
        hard: Sequence[str],
        locked: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Override"))
        form = QFormLayout(self)
        self.reason = QComboBox()
        for code in reasons:
            self.reason.addItem(f"{message(code, 'zh_CN')} / {message(code, 'en')}", code)
        form.addRow(self.tr("Reason"), _big(self.reason))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.needs_pin = bool(hard)
        if hard:
            over = ", ".join(message(r, "en") for r in hard)
            note = QLabel(self.tr("Admin PIN needed for: {0}").format(over))
            note.setWordWrap(True)
            form.addRow(note)
            form.addRow(self.tr("Admin PIN"), _big(self.pin))
            if locked:
                self.pin.setEnabled(False)
                form.addRow(QLabel(self.tr("Locked after wrong PINs: try again later")))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> tuple[str, str | None]:
        """The reason code and the PIN (None when no hard rule is overridden)."""
        return str(self.reason.currentData()), (self.pin.text() if self.needs_pin else None)
