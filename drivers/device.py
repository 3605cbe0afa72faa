"""The contract every device driver shares: states, listener, reconnect back-off and clock.

Camera, thermometer and relay (and any further reader) report one :class:`DeviceState`
vocabulary through a :class:`DeviceListener` whose ``on_state(state, detail)`` does nothing by
default. Reconnect loops wait :class:`Backoff` delays (doubling, capped, with jitter), and every
loop reads time and waits through a :class:`DeviceClock`, so tests can run device time faster
than the wall clock (:class:`ScaledClock`) while real bytes still cross real ptys.
"""

from __future__ import annotations

import enum
import random
import threading
import time
from typing import Protocol


class DeviceState(enum.Enum):
    """What a guard sees about a device."""

    STOPPED = "stopped"
    """Not started, or stopped on purpose."""
    CONNECTING = "connecting"
    """Opening the port or source, or waiting for the first valid data after opening it."""
    READY = "ready"
    """Working: delivering frames, readings, or a relay known to be off."""
    ACTIVE = "active"
    """Acting right now (a relay contact is closed for a pulse)."""
    RECONNECTING = "reconnecting"
    """Lost or faulty; the driver is trying again with back-off."""
    STALE = "stale"
    """Open, but no valid data arrived for too long."""
    FAULT = "fault"
    """Answers, but its data must not be trusted (frozen, bad frames, out-of-range ambient)."""
    FAILED = "failed"
    """Gave up after the configured number of attempts; needs a person."""
    ENDED = "ended"
    """A recorded source (a video file) reached its end."""

    @property
    def usable(self) -> bool:
        """Whether the device's data or actions can be relied on now."""
        return self in (DeviceState.READY, DeviceState.ACTIVE)


class DeviceListener:
    """Callbacks from a device's own thread; every method does nothing by default."""

    def on_state(self, state: DeviceState, detail: str) -> None:
        """The device state (or its plain-words detail) changed."""


class DeviceClock(Protocol):
    """Monotonic time and waiting, as a device loop sees them."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds`` of this clock's time."""
        ...

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait up to ``seconds`` of this clock's time for ``event``; True if it is set."""
        ...


class SystemClock:
    """The machine's monotonic clock."""

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep``."""
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """``event.wait``."""
        return event.wait(max(seconds, 0.0))


SYSTEM_CLOCK = SystemClock()


class ScaledClock:
    """Device time that runs ``factor`` times faster than the wall clock (tests, simulators).

    Every party of a test (driver and simulator) must share one instance, so that a 1.5 s
    measurement window and a 14 Hz frame stream stay in step while taking a fraction of the
    wall-clock time.
    """

    def __init__(self, factor: float) -> None:
        if factor <= 0:
            raise ValueError(f"clock factor must be positive, got {factor}")
        self.factor = factor
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        """Scaled seconds since this clock was made."""
        return (time.monotonic() - self._origin) * self.factor

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of scaled time."""
        if seconds > 0:
            time.sleep(seconds / self.factor)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait ``seconds`` of scaled time for ``event``."""
        return event.wait(max(seconds, 0.0) / self.factor)


class Backoff:
    """Capped exponential reconnect delay with jitter: about 0.5, 1, 2, 4, 8, 8, … seconds.

    Each delay is the doubling base value less up to ``jitter`` of it (0.2: 80–100 %), so
    several gates that lose power together do not retry in lock-step.
    """

    def __init__(
        self,
        initial_s: float = 0.5,
        cap_s: float = 8.0,
        *,
        jitter: float = 0.2,
        rng: random.Random | None = None,
    ) -> None:
        if initial_s <= 0 or cap_s < initial_s:
            raise ValueError(f"back-off needs 0 < initial ≤ cap, got {initial_s}, {cap_s}")
        if not 0 <= jitter < 1:
            raise ValueError(f"back-off jitter must be in [0, 1), got {jitter}")
        self.initial_s = initial_s
        self.cap_s = cap_s
        self.jitter = jitter
        self._rng = rng or random.Random()
        self._base = initial_s
        self.attempts = 0
        """Delays handed out since the last :meth:`reset` (failed attempts in a row)."""

    def next_delay(self) -> float:
        """The delay to wait now; the following one doubles up to the cap."""
        base = self._base
        self._base = min(self._base * 2, self.cap_s)
        self.attempts += 1
        return base * (1 - self.jitter * self._rng.random())

    def reset(self) -> None:
        """Start again from the initial delay (after a healthy connection)."""
        self._base = self.initial_s
        self.attempts = 0
