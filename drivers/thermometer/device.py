"""The thermometer port loop: owns the serial port on a named worker thread.

The worker opens the port (reconnecting with the shared capped, jittered back-off), sends the
protocol's init and poll commands, feeds received bytes to the parser, derives the
:class:`DeviceState` and completes measurements. Listener callbacks run on the worker thread;
a UI adapter must hand them over to its own thread.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import serial

from drivers.device import SYSTEM_CLOCK, Backoff, DeviceClock, DeviceListener, DeviceState
from drivers.serial_link.worker import SerialPortWorker
from drivers.thermometer.frames import ErrorFrame, Frame
from drivers.thermometer.health import HealthLimits, HealthMonitor
from drivers.thermometer.measurement import (
    Measurement,
    MeasurementError,
    MeasureResult,
    Mode,
    summarize,
)
from drivers.thermometer.protocols import ThermometerProtocol

if TYPE_CHECKING:
    from drivers.thermometer.simulator import ThermometerSimulator

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.05
REOPEN_AFTER_STALE_S = 10.0
FRAME_HISTORY = 1024


class ThermometerListener(DeviceListener):
    """Callbacks from the worker thread; every method does nothing by default."""

    def on_frame(self, frame: Frame) -> None:
        """A valid frame arrived (raw values)."""

    def on_measurement(self, result: MeasureResult) -> None:
        """A measurement requested with :meth:`ThermometerDevice.start_measurement` finished."""


@dataclass(eq=False)
class _Pending:
    start: float
    deadline: float
    last_chance: float
    min_frames: int
    done: threading.Event = field(default_factory=threading.Event)
    result: MeasureResult | None = None
    notify: bool = False


class ThermometerDevice(SerialPortWorker):
    """A thermometer on a serial port. Start it, then :meth:`measure` (blocking) or
    :meth:`start_measurement` (result through ``on_measurement``)."""

    label = "thermometer"
    read_timeout_s = READ_TIMEOUT_S
    down_tick_s = READ_TIMEOUT_S  # measurements still end on time while the port is down

    def __init__(
        self,
        port: str,
        protocol: ThermometerProtocol,
        baud: int = 0,
        *,
        plausible_c: tuple[float, float],
        mode: Mode = "surface",
        offset_c: float = 0.9,
        limits: HealthLimits | None = None,
        listener: ThermometerListener | None = None,
        backoff: Backoff | None = None,
        clock: DeviceClock = SYSTEM_CLOCK,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.protocol = protocol
        self._listener: ThermometerListener = listener or ThermometerListener()
        super().__init__(
            port,
            baud or protocol.default_baud,
            self._listener,
            thread_name=f"thermometer-{protocol.name}",
            backoff=backoff,
            clock=clock,
            on_close=on_close,
        )
        self.mode: Mode = mode
        self.offset_c = offset_c
        self.plausible_c = plausible_c
        self.limits = limits or HealthLimits()
        self._pending: list[_Pending] = []
        self._frames: collections.deque[tuple[float, Frame]] = collections.deque(
            maxlen=FRAME_HISTORY
        )
        self.last_frame: Frame | None = None
        self.simulator: ThermometerSimulator | None = None
        """The simulator behind a ``sim:`` port (set by the factory; demos and tests)."""
        if mode == "surface" and protocol.reports_body:
            log.info("%s reports body temperature: the offset is not applied", protocol.name)

    def _after_stop(self) -> None:
        self._fail_pending("thermometer stopped")

    # -- measuring ------------------------------------------------------------------------
    def measure(self, window_s: float = 1.5, min_frames: int = 3) -> MeasureResult:
        """Collect frames for ``window_s`` seconds and return their median (blocking).

        If fewer than ``min_frames`` valid frames arrived, the window is extended (at most
        doubled) while the device is READY, for slow devices such as the 2 Hz IDC-50. Returns a
        :class:`MeasurementError` on fault, lost port or too few frames. Never call this on a
        UI thread.
        """
        pending = self._request(window_s, min_frames, notify=False)
        if not self._clock.wait(pending.done, 2 * window_s + 10.0):
            return MeasurementError("thermometer did not answer in time", self._state)
        assert pending.result is not None
        return pending.result

    def start_measurement(self, window_s: float = 1.5, min_frames: int = 3) -> None:
        """Like :meth:`measure` but returns at once; the result goes to ``on_measurement``."""
        self._request(window_s, min_frames, notify=True)

    def _request(self, window_s: float, min_frames: int, notify: bool) -> _Pending:
        now = self._clock.monotonic()
        pending = _Pending(now, now + window_s, now + 2 * window_s, min_frames, notify=notify)
        alive = self._thread is not None and self._thread.is_alive() and not self._stop.is_set()
        if not alive:
            self._finish(pending, MeasurementError("thermometer not running", self._state))
        elif self._state is DeviceState.FAULT:
            error = MeasurementError(f"thermometer fault: {self._detail}", self._state)
            self._finish(pending, error)
        else:
            with self._lock:
                self._pending.append(pending)
        return pending

    def _finish(self, pending: _Pending, result: MeasureResult) -> None:
        pending.result = result
        pending.done.set()
        if pending.notify:
            self._emit("on_measurement", result)

    def _is_due(self, pending: _Pending, now: float) -> bool:
        if now < pending.deadline:
            return False
        if self._state is not DeviceState.READY or now >= pending.last_chance:
            return True
        return self._count_frames(pending.start, now) >= pending.min_frames

    def _count_frames(self, start: float, end: float) -> int:
        return sum(1 for t, _ in self._frames if start <= t <= end)

    def _complete_due(self, now: float) -> None:
        with self._lock:
            due = [p for p in self._pending if self._is_due(p, now)]
            self._pending = [p for p in self._pending if p not in due]
        for pending in due:
            self._finish(pending, self._result_for(pending))

    def _result_for(self, pending: _Pending) -> MeasureResult:
        end = max(pending.deadline, min(self._clock.monotonic(), pending.last_chance))
        frames = [f for t, f in self._frames if pending.start <= t <= end]
        if self._state is not DeviceState.READY:
            return MeasurementError(
                f"thermometer {self._state.value}: {self._detail}", self._state, len(frames)
            )
        result: Measurement | None = summarize(
            frames,
            mode=self.mode,
            offset_c=self.offset_c,
            min_frames=pending.min_frames,
            plausible_c=self.plausible_c,
        )
        if result is None:
            return MeasurementError(
                f"only {len(frames)} valid frames in the window (need {pending.min_frames})",
                self._state,
                len(frames),
            )
        return result

    def _fail_pending(self, reason: str) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for p in pending:
            self._finish(p, MeasurementError(reason, self._state))

    # -- worker ---------------------------------------------------------------------------
    def _while_down(self, now: float) -> None:
        self._complete_due(now)

    def _session(self, port: serial.Serial) -> None:
        """Read until the port fails, stays stale too long, or the device is stopped."""
        protocol = self.protocol
        parser = protocol.new_parser()
        clock = self._clock
        health = HealthMonitor(self.limits, clock.monotonic())
        self._set_state(DeviceState.CONNECTING, "port open, waiting for the first frame")
        if protocol.init_command():
            port.write(protocol.init_command())
        next_poll = clock.monotonic()
        while not self._stop.is_set():
            now = clock.monotonic()
            if protocol.poll_interval_s is not None and now >= next_poll:
                port.write(protocol.poll_command())
                next_poll = now + protocol.poll_interval_s
            data = port.read(max(1, port.in_waiting))
            now = clock.monotonic()
            bad_before = parser.bad_frames
            items = parser.feed(data)
            for _ in range(parser.bad_frames - bad_before):
                health.bad("checksum error")
            for item in items:
                if isinstance(item, ErrorFrame):
                    health.bad(item.message)
                    continue
                health.frame(item, now)
                self._frames.append((now, item))
                self.last_frame = item
                self._backoff.reset()
                self._emit("on_frame", item)
            self._set_state(*health.evaluate(now))
            self._complete_due(now)
            silent = now - (health.last_valid_at or health.connected_at)
            if silent > REOPEN_AFTER_STALE_S:
                log.warning("no valid frame for %.0f s; reopening %s", silent, self.port)
                return
