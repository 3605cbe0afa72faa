"""Qt signals from the gate service and the devices, delivered on the UI thread.

The service and every device call their listeners on their own threads. The bridges here are
those listeners: each callback only emits a signal, and Qt queues it to the thread the bridge
lives in (the UI thread). Nothing here decodes, reads a port, writes SQL or waits.

:class:`DeviceSignals` also feeds a :class:`~kiosk.ui.admin.monitor.DeviceMonitor` with the same
events (thermometer frames and state, camera state, decoder statistics): the admin window's
devices page shows it.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Signal

from drivers.camera import CaptureListener, DecodeResult, ScanListener
from drivers.device import DeviceListener, DeviceState
from drivers.thermometer import ThermometerListener
from drivers.thermometer.frames import Frame
from drivers.thermometer.measurement import MeasureResult
from kiosk.core.evidence import Direction
from kiosk.service import Refusal, ServiceListener, TransactionView
from kiosk.ui.admin.monitor import DeviceMonitor, ScanTap, ThermometerTap


class ServiceSignals(QObject):
    """The gate service's callbacks as signals (each carries the frozen view or refusal)."""

    transaction = Signal(object)
    decision = Signal(object)
    relay = Signal(object)
    refused = Signal(object)
    fault = Signal(object, str)
    direction = Signal(str)

    def listener(self) -> ServiceListener:
        """The :class:`ServiceListener` to add to the service; it only emits these signals."""
        return _ServiceToSignals(self)


class _ServiceToSignals(ServiceListener):
    def __init__(self, signals: ServiceSignals) -> None:
        self.signals = signals

    def on_transaction(self, view: TransactionView) -> None:
        self.signals.transaction.emit(view)

    def on_decision(self, view: TransactionView) -> None:
        self.signals.decision.emit(view)

    def on_relay(self, view: TransactionView) -> None:
        self.signals.relay.emit(view)

    def on_refused(self, refusal: Refusal) -> None:
        self.signals.refused.emit(refusal)

    def on_fault(self, view: TransactionView | None, detail: str) -> None:
        self.signals.fault.emit(view, detail)

    def on_direction(self, direction: Direction) -> None:
        self.signals.direction.emit(direction)


class DeviceSignals(QObject):
    """Device states (``part``: camera, thermometer, relay, idcard) and camera detections."""

    state = Signal(str, str, str)
    """part, :class:`DeviceState` value, detail."""
    corners = Signal(int, object)
    """frame id, list of 4×2 corner arrays of the codes found in it (may be empty)."""
    measured = Signal(object)
    """A thermometer result (measurement or fault)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self.monitor = DeviceMonitor()
        """What the admin window's devices page shows (set its ``camera_fps`` source)."""

    def report_state(self, part: str, state: DeviceState, detail: str) -> None:
        """Remember and emit ``part``'s new state (from any thread)."""
        with self._lock:
            self._last[part] = (state.value, detail)
        self.state.emit(part, state.value, detail)

    def last_states(self) -> dict[str, tuple[str, str]]:
        """Each part's latest state, for a screen made after the devices started."""
        with self._lock:
            return dict(self._last)

    def part(self, name: str) -> DeviceListener:
        """A device listener reporting ``name``'s state changes."""
        return _StateToSignal(self, name)

    def camera(self) -> CaptureListener:
        """The capture's listener."""
        return _CameraToSignals(self)

    def scans(self, forward: ScanListener | None = None) -> ScanListener:
        """A scan listener emitting each decoded frame's corners and counting it in the
        monitor, passing every callback on."""
        return ScanTap(self.monitor, _ScansToSignals(self, forward or ScanListener()))

    def thermometer(self, forward: ThermometerListener | None = None) -> ThermometerListener:
        """A thermometer listener emitting its state and results and keeping its frames in the
        monitor, passing them on."""
        return ThermometerTap(
            self.monitor, _ThermometerToSignals(self, forward or ThermometerListener())
        )


class _StateToSignal(DeviceListener):
    def __init__(self, signals: DeviceSignals, name: str) -> None:
        self.signals = signals
        self.name = name

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.signals.report_state(self.name, state, detail)


class _CameraToSignals(CaptureListener):
    def __init__(self, signals: DeviceSignals) -> None:
        self.signals = signals

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.signals.monitor.camera_state(state, detail)
        self.signals.report_state("camera", state, detail)


class _ScansToSignals(ScanListener):
    def __init__(self, signals: DeviceSignals, forward: ScanListener) -> None:
        self.signals = signals
        self.forward = forward

    def on_code(self, result: DecodeResult) -> None:
        self.forward.on_code(result)

    def on_frame_decoded(self, frame_id: int, results: list[DecodeResult], ms: float) -> None:
        corners: list[np.ndarray] = [np.array(r.points, copy=True) for r in results]
        self.signals.corners.emit(frame_id, corners)
        self.forward.on_frame_decoded(frame_id, results, ms)


class _ThermometerToSignals(ThermometerListener):
    def __init__(self, signals: DeviceSignals, forward: ThermometerListener) -> None:
        self.signals = signals
        self.forward = forward

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.signals.report_state("thermometer", state, detail)
        self.forward.on_state(state, detail)

    def on_frame(self, frame: Frame) -> None:
        self.forward.on_frame(frame)

    def on_measurement(self, result: MeasureResult) -> None:
        self.signals.measured.emit(result)
        self.forward.on_measurement(result)
