"""Camera capture on a named thread: keeps only the latest frame, reports fps and device state.

Sources: a device index (``"0"``), a video file, a stream URL (``rtsp://…``, ``http://…``) or
``sim:`` (see :mod:`drivers.camera.simcamera`). A live source that stops delivering is
RECONNECTING with the shared back-off (doubling from ``backoff_initial_s``, capped at
``backoff_max_s``, jittered); after ``max_attempts`` failed attempts in a row the state becomes
FAILED and the thread ends. A file that ends is ENDED
(or starts again with ``loop=True``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from drivers.camera.simcamera import SimulatedCamera
from drivers.camera.sources import FrameSource, OpenCVSource
from drivers.device import SYSTEM_CLOCK, Backoff, DeviceClock, DeviceListener, DeviceState

log = logging.getLogger(__name__)


class CaptureListener(DeviceListener):
    """Callbacks from the capture thread; every method does nothing by default."""

    def on_frame(self, frame_id: int) -> None:
        """A new frame is available through :meth:`Capture.latest`."""


@dataclass(frozen=True)
class CaptureOptions:
    """How to open and keep a source."""

    width: int = 640  # requested device resolution
    height: int = 480
    loop: bool = False  # start a video file again when it ends
    file_fps: float | None = None  # pace of file playback; None: the file's own fps
    backoff_initial_s: float = 0.5  # first reconnect delay
    backoff_max_s: float = 8.0  # reconnect delay cap
    backoff_jitter: float = 0.2  # each delay is 80-100 % of the doubling value
    max_attempts: int = 0  # failed attempts in a row before FAILED; 0 = retry for ever


def open_source(spec: str, options: CaptureOptions = CaptureOptions()) -> FrameSource:
    """The frame source a ``camera.source`` setting names."""
    spec = spec.strip()
    if spec.startswith("sim:"):
        return SimulatedCamera.from_spec(spec)
    if spec.isdigit():
        return OpenCVSource(int(spec), width=options.width, height=options.height)
    if "://" in spec:
        return OpenCVSource(spec, live=True)
    return OpenCVSource(spec, live=False, file_fps=options.file_fps)


class Capture:
    """Reads frames on a thread named ``camera-capture`` and keeps only the newest one."""

    def __init__(
        self,
        source: str | FrameSource,
        options: CaptureOptions = CaptureOptions(),
        listener: CaptureListener | None = None,
        *,
        name: str = "camera-capture",
        clock: DeviceClock = SYSTEM_CLOCK,
    ) -> None:
        self.options = options
        self._source = open_source(source, options) if isinstance(source, str) else source
        self._listener = listener or CaptureListener()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._latest: tuple[int, np.ndarray] | None = None
        self._frame_id = 0
        self._stamps: deque[float] = deque(maxlen=120)
        self._state = DeviceState.CONNECTING
        self._clock = clock
        self._backoff = Backoff(
            options.backoff_initial_s, options.backoff_max_s, jitter=options.backoff_jitter
        )
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def source(self) -> FrameSource:
        """The frame source (e.g. a :class:`SimulatedCamera` to ``present`` codes to)."""
        return self._source

    @property
    def state(self) -> DeviceState:
        """The current device state."""
        return self._state

    @property
    def fps(self) -> float:
        """Frames per second delivered over the last couple of seconds."""
        now = time.monotonic()
        with self._cond:
            recent = [t for t in self._stamps if now - t <= 2.0]
        if len(recent) < 2:
            return 0.0
        span = recent[-1] - recent[0]
        return (len(recent) - 1) / span if span > 0 else 0.0

    def latest(self) -> tuple[int, np.ndarray] | None:
        """The newest ``(frame_id, frame)``, or None before the first frame."""
        with self._cond:
            return self._latest

    def wait_frame(self, after_id: int, timeout: float) -> tuple[int, np.ndarray] | None:
        """The newest frame with an id above ``after_id``; None if none comes in ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._latest is None or self._latest[0] <= after_id:
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set() or not self._thread.is_alive():
                    return None
                self._cond.wait(min(left, 0.1))
            return self._latest

    def start(self) -> None:
        """Start the capture thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread, release the source and wait for the thread to end."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end on its own (a file ended, or the device failed)."""
        self._thread.join(timeout)

    def __enter__(self) -> Capture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _set_state(self, state: DeviceState, detail: str) -> None:
        if state == self._state:
            return
        self._state = state
        log.info("camera %s: %s (%s)", self._source.description, state.value, detail)
        try:
            self._listener.on_state(state, detail)
        except Exception:  # noqa: BLE001 - a listener bug must not stop the capture
            log.exception("capture listener on_state failed")

    def _run(self) -> None:
        backoff = self._backoff
        try:
            while not self._stop.is_set():
                opened = self._open()
                if not opened:
                    attempts = backoff.attempts + 1
                    if self.options.max_attempts and attempts >= self.options.max_attempts:
                        self._set_state(DeviceState.FAILED,
                                        f"could not open after {attempts} attempts")
                        return
                    delay = backoff.next_delay()
                    self._set_state(DeviceState.RECONNECTING,
                                    f"cannot open; retry in {delay:.1f} s")
                    self._clock.wait(self._stop, delay)
                    continue
                backoff.reset()
                self._set_state(DeviceState.READY, "delivering frames")
                ended = self._pump()
                self._source.close()
                if ended:
                    if self.options.loop:
                        continue
                    self._set_state(DeviceState.ENDED, "end of file")
                    return
                if not self._stop.is_set():
                    self._set_state(DeviceState.RECONNECTING, "no frames from the device")
        except Exception as exc:  # noqa: BLE001 - report, never die silently
            log.exception("capture thread failed")
            self._set_state(DeviceState.FAILED, f"internal error: {exc}")
        finally:
            self._source.close()
            if self._stop.is_set() and self._state not in (DeviceState.FAILED,
                                                           DeviceState.ENDED):
                self._set_state(DeviceState.STOPPED, "stopped")
            with self._cond:
                self._cond.notify_all()

    def _open(self) -> bool:
        try:
            return self._source.open()
        except Exception:  # noqa: BLE001 - treat like a missing device
            log.exception("opening %s failed", self._source.description)
            return False

    def _pump(self) -> bool:
        """Read frames until the source stops; True when a file ended."""
        fps = self._source.nominal_fps
        period = 1.0 / fps if fps > 0 else 0.0
        next_due = time.monotonic()
        while not self._stop.is_set():
            frame = self._source.read()
            if frame is None:
                return not self._source.live
            with self._cond:
                self._frame_id += 1
                self._latest = (self._frame_id, frame)
                self._stamps.append(time.monotonic())
                self._cond.notify_all()
            try:
                self._listener.on_frame(self._frame_id)
            except Exception:  # noqa: BLE001
                log.exception("capture listener on_frame failed")
            if period:
                next_due += period
                wait = next_due - time.monotonic()
                if wait > 0:
                    self._stop.wait(wait)
                else:
                    next_due = time.monotonic()
        return False
