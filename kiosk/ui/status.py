"""The status bar: gate and direction, clock, device states, the least current registry
dataset and the upload backlog.

Sync figures come from :class:`~kiosk.sync.status.SyncStatus` only; with no server configured
the bar says so instead of showing numbers.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from kiosk.sync.status import SyncStatus
from kiosk.ui.faults import HEALTHY, STARTING

DEVICE_PARTS = ("camera", "thermometer", "relay", "idcard")


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    return f"{seconds / 3600:.1f} h"


class GateStatusBar(QWidget):
    """One row of labels, refreshed by :meth:`refresh` (the screen's one-second timer)."""

    def __init__(self, gate_id: str, tz: dt.tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gate_id = gate_id
        self.tz = tz
        self.direction = "in"
        self.states: dict[str, tuple[str, str]] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        self.gate = QLabel()
        self.clock = QLabel()
        self.devices = {part: QLabel() for part in DEVICE_PARTS}
        self.sync = QLabel()
        for label in (self.gate, self.clock, *self.devices.values(), self.sync):
            font = label.font()
            font.setPointSize(13)
            label.setFont(font)
            layout.addWidget(label)
        # the sync line takes the rest of the row: a long one is cut, the window not widened
        self.sync.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.setStretchFactor(self.sync, 1)
        self.setStyleSheet("background: #eceff1; color: #111;")

    def device(self, part: str, state: str, detail: str) -> None:
        """Record a device's new state (shown at the next refresh)."""
        self.states[part] = (state, detail)

    def refresh(self, now: dt.datetime, sync: SyncStatus) -> None:
        """Redraw every label for the gate clock ``now`` and the sync status ``sync``."""
        way = self.tr("entry") if self.direction == "in" else self.tr("exit")
        self.gate.setText(self.tr("Gate {0} · {1}").format(self.gate_id, way))
        self.clock.setText(f"{now.astimezone(self.tz):%Y-%m-%d %H:%M:%S}")
        names = {
            "camera": self.tr("Camera"),
            "thermometer": self.tr("Thermometer"),
            "relay": self.tr("Relay"),
            "idcard": self.tr("ID card"),
        }
        for part, label in self.devices.items():
            if part not in self.states:
                label.setVisible(part != "idcard")
                label.setText(self.tr("{0}: unknown").format(names[part]))
                continue
            state, detail = self.states[part]
            colour = "#1b5e20" if state in HEALTHY else "#b71c1c"
            colour = "#e65100" if state in STARTING else colour
            label.setVisible(True)
            label.setText(f"<span style='color:{colour}'>● {names[part]}: {state}</span>")
            label.setToolTip(detail)
        self.sync.setText(self.sync_text(now, sync))
        self.sync.setToolTip(self.datasets_text(now, sync) if sync.configured else "")

    def dataset_name(self, dataset: str) -> str:
        """A registry dataset's name in the screen's language."""
        names = {
            "people": self.tr("people"),
            "visit_approvals": self.tr("visit approvals"),
            "stay_approvals": self.tr("stay approvals"),
            "leave_approvals": self.tr("leave approvals"),
            "quarantines": self.tr("quarantine holds"),
            "risk_areas": self.tr("risk areas"),
            "checkins": self.tr("check-ins"),
            "revocations": self.tr("revoked passes"),
            "trust_keys": self.tr("trust list"),
            "vehicles": self.tr("vehicles"),
        }
        return names.get(dataset, dataset)

    def registry_text(self, now: dt.datetime, sync: SyncStatus) -> str:
        """The least current dataset and its age (``check-ins 8.0 h old``); the registry's
        age when the status does not list datasets."""
        oldest = sync.oldest_dataset(now)
        if oldest is None:
            age = sync.registry_age_s(now)
            if age is None:
                return self.tr("registry never synced")
            return self.tr("registry {0} old").format(_age(age))
        return self._dataset_age(*oldest)

    def _dataset_age(self, name: str, age: float | None) -> str:
        if age is None:
            return self.tr("{0} never synced").format(self.dataset_name(name))
        return self.tr("{0} {1} old").format(self.dataset_name(name), _age(age))

    def datasets_text(self, now: dt.datetime, sync: SyncStatus) -> str:
        """Every dataset's age, one per line (the sync label's tooltip); "" when not known."""
        ages = sync.dataset_ages_s(now)
        return "\n".join(self._dataset_age(name, age) for name, age in ages.items())

    def sync_text(self, now: dt.datetime, sync: SyncStatus) -> str:
        """``check-ins 8.0 h old · backlog 3``: the least current dataset first, or "not
        configured" (never invented numbers)."""
        if not sync.configured:
            return self.tr("Sync: not configured")
        parts = [
            self.registry_text(now, sync),
            self.tr("backlog unknown")
            if sync.backlog is None
            else self.tr("backlog {0}").format(sync.backlog),
        ]
        if sync.last_error:
            parts.append(self.tr("last error: {0}").format(sync.last_error))
        return self.tr("Sync: ") + " · ".join(parts)
