"""The rules that derive a thermometer's :class:`DeviceState` from the frames seen (pure, clock
passed in)."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.device import DeviceState
from drivers.thermometer.frames import Frame


@dataclass(frozen=True)
class HealthLimits:
    """When a thermometer counts as stale or faulty."""

    stale_s: float = 2.0
    """Seconds without a valid frame before the device is STALE."""
    frozen_s: float = 10.0
    """Seconds of identical readings (while frames keep coming) before FAULT; 0 disables."""
    ambient_min_c: float = 10.0
    """Lowest ambient temperature at which readings are trusted."""
    ambient_max_c: float = 40.0
    """Highest ambient temperature at which readings are trusted."""
    max_bad_in_row: int = 5
    """Bad-checksum or device-error frames in a row before FAULT."""


class HealthMonitor:
    """Tracks one connection's frames and evaluates its :class:`DeviceState`."""

    def __init__(self, limits: HealthLimits, now: float) -> None:
        self.limits = limits
        self.connected_at = now
        self.last_valid_at: float | None = None
        self.last_frame: Frame | None = None
        self.run_started_at = now
        self.bad_in_row = 0
        self.last_error = ""

    def frame(self, frame: Frame, now: float) -> None:
        """A valid frame arrived."""
        last = self.last_frame
        if last is None or (last.object_c, last.ambient_c) != (frame.object_c, frame.ambient_c):
            self.run_started_at = now
        self.last_frame = frame
        self.last_valid_at = now
        self.bad_in_row = 0

    def bad(self, message: str) -> None:
        """A frame failed its checksum, or the device replied with an error."""
        self.bad_in_row += 1
        self.last_error = message

    def evaluate(self, now: float) -> tuple[DeviceState, str]:
        """The state and a short human-readable detail."""
        lim = self.limits
        if self.bad_in_row >= lim.max_bad_in_row:
            return DeviceState.FAULT, (
                f"{lim.max_bad_in_row} or more bad or error replies in a row ({self.last_error})"
            )
        since = self.last_valid_at if self.last_valid_at is not None else self.connected_at
        if now - since > lim.stale_s:
            if self.bad_in_row:
                return DeviceState.FAULT, f"only bad frames ({self.last_error})"
            return DeviceState.STALE, f"no valid frame for more than {lim.stale_s:g} s"
        frame = self.last_frame
        if frame is None:
            return DeviceState.CONNECTING, "port open, waiting for the first frame"
        if lim.frozen_s > 0 and now - self.run_started_at >= lim.frozen_s:
            return DeviceState.FAULT, (
                f"readings frozen at {frame.object_c:g} °C for {lim.frozen_s:g} s or more"
            )
        amb = frame.ambient_c
        if amb is not None and not lim.ambient_min_c <= amb <= lim.ambient_max_c:
            return DeviceState.FAULT, (
                f"ambient temperature outside {lim.ambient_min_c:g}–{lim.ambient_max_c:g} °C"
            )
        return DeviceState.READY, "ok"
