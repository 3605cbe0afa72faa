"""What the devices page shows, collected from the devices' own threads: thermometer frames
and state, camera frame rate, decoder stage statistics. No Qt: the page polls a snapshot."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.camera.result import DecodeResult
from drivers.camera.worker import ScanListener
from drivers.device import DeviceState
from drivers.thermometer.device import ThermometerListener
from drivers.thermometer.frames import Frame
from drivers.thermometer.measurement import MeasureResult

FRAMES_KEPT = 50


@dataclass(frozen=True)
class StageStats:
    """Codes read by one decoder stage and their mean cascade time."""

    stage: str
    reads: int
    mean_ms: float


@dataclass(frozen=True)
class DeviceSnapshot:
    """A consistent copy of everything the monitor knows, for one repaint."""

    thermometer_state: str
    thermometer_detail: str
    frames: tuple[tuple[float, Frame], ...]  # (monotonic time, frame), newest last
    camera_state: str
    camera_fps: float | None
    frames_decoded: int
    frames_with_code: int
    mean_decode_ms: float
    stages: tuple[StageStats, ...] = field(default_factory=tuple)


class DeviceMonitor:
    """Thread-safe collector fed by :class:`ThermometerTap` and :class:`ScanTap`."""

    def __init__(self, camera_fps: Callable[[], float] | None = None) -> None:
        self._lock = threading.Lock()
        self._frames: deque[tuple[float, Frame]] = deque(maxlen=FRAMES_KEPT)
        self._thermo = ("unknown", "")
        self._camera = ("unknown", "")
        self.camera_fps = camera_fps
        self._decoded = 0
        self._with_code = 0
        self._decode_ms = 0.0
        self._stage_reads: Counter[str] = Counter()
        self._stage_ms: dict[str, float] = {}

    def thermometer_frame(self, frame: Frame) -> None:
        with self._lock:
            self._frames.append((time.monotonic(), frame))

    def thermometer_state(self, state: DeviceState, detail: str) -> None:
        with self._lock:
            self._thermo = (state.value, detail)

    def camera_state(self, state: DeviceState, detail: str) -> None:
        with self._lock:
            self._camera = (state.value, detail)

    def frame_decoded(self, results: list[DecodeResult], ms: float) -> None:
        with self._lock:
            self._decoded += 1
            self._decode_ms += ms
            if results:
                self._with_code += 1
            for r in results:
                stage = r.stage or "?"
                self._stage_reads[stage] += 1
                self._stage_ms[stage] = self._stage_ms.get(stage, 0.0) + r.ms

    def snapshot(self) -> DeviceSnapshot:
        """Everything known now."""
        fps = self.camera_fps() if self.camera_fps is not None else None
        with self._lock:
            stages = tuple(
                StageStats(s, n, self._stage_ms[s] / n)
                for s, n in self._stage_reads.most_common()
            )
            return DeviceSnapshot(
                thermometer_state=self._thermo[0],
                thermometer_detail=self._thermo[1],
                frames=tuple(self._frames),
                camera_state=self._camera[0],
                camera_fps=fps,
                frames_decoded=self._decoded,
                frames_with_code=self._with_code,
                mean_decode_ms=self._decode_ms / self._decoded if self._decoded else 0.0,
                stages=stages,
            )


class ThermometerTap(ThermometerListener):
    """A thermometer listener that feeds the monitor and passes everything on to ``forward``
    (use it as :class:`~kiosk.runtime.ThermometerReadings`' ``forward``)."""

    def __init__(self, monitor: DeviceMonitor, forward: ThermometerListener | None = None) -> None:
        self.monitor = monitor
        self.forward = forward or ThermometerListener()

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.monitor.thermometer_state(state, detail)
        self.forward.on_state(state, detail)

    def on_frame(self, frame: Frame) -> None:
        self.monitor.thermometer_frame(frame)
        self.forward.on_frame(frame)

    def on_measurement(self, result: MeasureResult) -> None:
        self.forward.on_measurement(result)


class ScanTap(ScanListener):
    """A scan listener that feeds the monitor's decoder statistics and passes on to ``forward``."""

    def __init__(self, monitor: DeviceMonitor, forward: ScanListener | None = None) -> None:
        self.monitor = monitor
        self.forward = forward or ScanListener()

    def on_code(self, result: DecodeResult) -> None:
        self.forward.on_code(result)

    def on_frame_decoded(self, frame_id: int, results: list[DecodeResult], ms: float) -> None:
        self.monitor.frame_decoded(results, ms)
        self.forward.on_frame_decoded(frame_id, results, ms)
