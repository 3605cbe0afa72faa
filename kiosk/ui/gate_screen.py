"""The gate screen: preview, result banner, faults, guard panel and status bar in one window.

It only observes and commands the :class:`~kiosk.service.GateService`: views arrive as Qt
signals on the UI thread (:mod:`kiosk.ui.bridge`), guard actions go back as service commands
that return at once. A final result stays up for ``hold_s``, then the screen returns to idle;
a fever stays until a guard acknowledges it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.admin_pin import PinChecker
from kiosk.core.clock import Clock
from kiosk.core.evidence import Direction
from kiosk.core.policy_config import OverrideRules
from kiosk.service import GateService, Refusal, TransactionView
from kiosk.sync.status import NOT_CONFIGURED, SyncStatus
from kiosk.ui.banner import ResultBanner
from kiosk.ui.bridge import DeviceSignals, ServiceSignals
from kiosk.ui.entry import classify
from kiosk.ui.faults import Faults
from kiosk.ui.guard import GuardPanel, ManualEntryDialog, OverrideDialog
from kiosk.ui.presenter import IDLE, ScreenState, state_of
from kiosk.ui.preview import CameraPreview, FrameGetter
from kiosk.ui.status import GateStatusBar

log = logging.getLogger(__name__)
HOLD_S = 4.0
"""Seconds a final result stays on the screen before it returns to idle."""


@dataclass
class ScreenParts:
    """What the screen is built on (the composition root fills it)."""

    service: GateService
    clock: Clock
    gate_id: str
    tz: dt.tzinfo
    override: OverrideRules
    pin_checker: PinChecker
    frames: FrameGetter
    sync_status: Callable[[], SyncStatus] = field(default=lambda: NOT_CONFIGURED)
    hold_s: float = HOLD_S


class GateScreen(QWidget):
    """The whole gate screen; ``state_shown(state)`` fires each time the banner changes."""

    state_shown = Signal(object)
    language_requested = Signal()
    admin_requested = Signal()

    def __init__(
        self,
        parts: ScreenParts,
        service_signals: ServiceSignals,
        device_signals: DeviceSignals,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.parts = parts
        self.service = parts.service
        self.faults = Faults()
        self.state: ScreenState = IDLE
        self.preview = CameraPreview(parts.frames)
        self.banner = ResultBanner()
        self.fault_strip = QLabel()
        self.fault_strip.setWordWrap(True)
        self.fault_strip.setStyleSheet(
            "background: #ff6f00; color: #000; font-size: 22pt; font-weight: bold; padding: 8px;"
        )
        self.fault_strip.hide()
        self.guard_note = QLabel()
        self.guard_note.setStyleSheet("font-size: 16pt; padding: 4px;")
        self.panel = GuardPanel()
        self.status = GateStatusBar(parts.gate_id, parts.tz)
        self.status.direction = self.service.snapshot().direction
        middle = QHBoxLayout()
        middle.addWidget(self.preview, 1)
        middle.addWidget(self.banner, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.fault_strip)
        layout.addLayout(middle, 1)
        layout.addWidget(self.guard_note)
        layout.addWidget(self.panel)
        layout.addWidget(self.status)
        self.setWindowTitle(self.tr("Gate {0}").format(parts.gate_id))
        self.dialog: ManualEntryDialog | OverrideDialog | None = None

        service_signals.transaction.connect(self.on_transaction)
        service_signals.decision.connect(self.on_decision)
        service_signals.refused.connect(self.on_refused)
        service_signals.fault.connect(self.on_fault)
        service_signals.direction.connect(self.on_direction)
        device_signals.state.connect(self.on_device)
        for part, (state, detail) in device_signals.last_states().items():
            self.on_device(part, state, detail)
        device_signals.corners.connect(self.preview.set_corners)
        self.panel.action.connect(self.guard_action)

        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self.back_to_idle)
        self._second = QTimer(self)
        self._second.timeout.connect(self.tick)
        self._second.start(1000)
        self.show_state(IDLE)
        self.tick()

    # ------------------------------------------------------------ from the service
    def on_transaction(self, view: TransactionView) -> None:
        """Show the transaction in front of the gate (a parked visitor only when nobody is)."""
        current = self.service.snapshot().current
        if view.parked and current is not None and current.id != view.id:
            return
        if not view.closed and self.state.kind == "fever" and self.state.tx_id != view.id:
            self.note(self.tr("Fever alert not acknowledged yet (F7)"))
        state = state_of(view)
        if self.state.kind == "fever" and self.state.tx_id != view.id and state.kind != "fever":
            return  # the fever banner stays until the guard acknowledges it
        self.show_state(state)
        if view.confirmable and not view.closed:
            self.note(self.tr("Check the person and the code, then confirm (F8)"))
        if view.outcome == "pending":
            self._idle_timer.stop()
        elif state.kind != "fever":
            self._idle_timer.start(int(self.parts.hold_s * 1000))

    def on_decision(self, view: TransactionView) -> None:
        """A decision was logged: the log works (clears a log fault)."""
        if view.fault is None and self.faults.log_error is not None:
            self.faults.log_ok()
            self._show_faults()

    def on_refused(self, refusal: Refusal) -> None:
        """Tell the guard what was refused and why."""
        self.note(self.tr("Refused {0}: {1}").format(refusal.action, refusal.detail))

    def on_fault(self, view: TransactionView | None, detail: str) -> None:
        """The log could not be written."""
        self.faults.log_failed(detail)
        self._show_faults()

    def on_direction(self, direction: str) -> None:
        """The gate switched between entry and exit."""
        self.status.direction = direction
        self.tick()

    def on_device(self, part: str, state: str, detail: str) -> None:
        """A device changed state: status bar and fault strip."""
        self.faults.device(part, state, detail)
        self.status.device(part, state, detail)
        self._show_faults()
        self.tick()

    # ------------------------------------------------------------ guard actions
    def guard_action(self, name: str) -> None:
        """Run a guard action by name (button, shortcut or test)."""
        tx_id = self.state.tx_id
        if name == "direction":
            way: Direction = "out" if self.service.snapshot().direction == "in" else "in"
            self.service.set_direction(way)
            self.note(self.tr("Direction switched"))
        elif name == "manual":
            self._open(ManualEntryDialog(self), self._manual_done)
        elif name == "retest":
            if tx_id is None:
                self.note(self.tr("Nobody to retest"))
            else:
                self.service.retest(tx_id)
        elif name == "override":
            self._override()
        elif name == "host":
            self._confirm_host()
        elif name == "confirm":
            self._confirm_guard()
        elif name == "fever":
            if self.state.kind != "fever" or tx_id is None:
                self.note(self.tr("No fever alert to acknowledge"))
            else:
                self.service.ack_fever(tx_id)
        elif name == "language":
            self.language_requested.emit()
        elif name == "admin":
            self.admin_requested.emit()

    def wedge_scan(self, text: str) -> None:
        """A keyboard wedge typed ``text``: a code to verify, a vehicle's plate (vehicle lane)
        or an identity number."""
        entry = classify(text)
        if entry.kind == "code":
            self.service.scan(entry.text, "wedge")
        elif entry.kind == "plate":
            self.service.enter_plate(entry.text, source="wedge")
        else:
            self.service.enter_identity(**{entry.kind: entry.text}, source="wedge")
        self.note(self.tr("Scanner input received"))

    def _open(self, dialog: ManualEntryDialog | OverrideDialog, done: Callable[[], None]) -> None:
        self.dialog = dialog
        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _manual_done(self) -> None:
        assert isinstance(self.dialog, ManualEntryDialog)
        kind, text = self.dialog.entry()
        self.dialog = None
        if not text:
            return
        if kind == "plate":
            self.service.enter_plate(text, source="guard")  # the core normalises or refuses it
        else:
            self.service.enter_identity(**{kind: text}, source="guard")

    def _override(self) -> None:
        view = self.service.transaction(self.state.tx_id) if self.state.tx_id else None
        if view is None or view.outcome == "admit":
            self.note(self.tr("Nothing to override"))
            return
        rules = self.parts.override
        hard = [r for r in view.reasons if r in rules.hard_rules]
        dialog = OverrideDialog(rules.reasons, hard, self.parts.pin_checker.locked, self)
        tx_id = view.id

        def done() -> None:
            reason, pin = dialog.choice()
            self.dialog = None
            self.service.override(tx_id, reason, pin)

        self._open(dialog, done)

    def _confirm_guard(self) -> None:
        """The guard checked what the kiosk could not and confirms the person waiting for it
        (else the one shown); the gate refuses (and logs) it for anything but a guard wait."""
        current = self.service.snapshot().current
        tx_id = current.id if current is not None and current.confirmable else self.state.tx_id
        if tx_id is None:
            self.note(self.tr("Nobody waits for a guard's confirmation"))
            return
        self.service.confirm_guard(tx_id)

    def _confirm_host(self) -> None:
        snap = self.service.snapshot()
        shown = [v for v in snap.parked if v.id == self.state.tx_id]
        waiting = shown or list(snap.parked)
        if not waiting:
            self.note(self.tr("Nobody is waiting for a host"))
            return
        self.service.confirm_host(waiting[0].id)

    # ------------------------------------------------------------ drawing
    def show_state(self, state: ScreenState) -> None:
        """Put ``state`` on the banner and tell observers."""
        self.state = state
        self.banner.show_state(state, self.parts.clock.now())
        self.state_shown.emit(state)

    def keep_shown(self) -> None:
        """Cancel a pending return to idle: the state on the banner stays (the demo's closing
        pictures)."""
        self._idle_timer.stop()

    def back_to_idle(self) -> None:
        """The result was up long enough: back to "show your code"."""
        if self.state.kind in ("admit", "reject"):
            self.show_state(IDLE)

    def note(self, text: str) -> None:
        """A one-line message for the guard."""
        self.guard_note.setText(text)

    def tick(self) -> None:
        """Once a second: clock, countdown, status bar."""
        now = self.parts.clock.now()
        self.banner.tick(now)
        try:
            sync = self.parts.sync_status()
        except Exception:  # noqa: BLE001 - a broken status source must not stop the screen
            log.exception("sync status unavailable")
            sync = NOT_CONFIGURED
        self.status.refresh(now, sync)

    def _show_faults(self) -> None:
        lines = self.faults.lines()
        self.fault_strip.setText("\n".join(lines))
        self.fault_strip.setVisible(bool(lines))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Re-translate the guard's words when the language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.panel.retranslate()
            self.tick()
        super().changeEvent(event)


__all__ = ["HOLD_S", "GateScreen", "ScreenParts"]
