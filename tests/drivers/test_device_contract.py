"""The shared device contract: back-off, clocks, one state vocabulary for every driver."""

from __future__ import annotations

import random
import threading
import time

import pytest

from drivers import camera, relay, thermometer
from drivers.device import Backoff, DeviceListener, DeviceState, ScaledClock


def test_back_off_doubles_up_to_the_cap_and_starts_again_after_reset() -> None:
    backoff = Backoff(0.5, 8.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(7)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert backoff.attempts == 7
    backoff.reset()
    assert backoff.attempts == 0 and backoff.next_delay() == 0.5


def test_back_off_jitter_stays_within_its_share_and_spreads_gates_apart() -> None:
    gates = [Backoff(1.0, 8.0, jitter=0.2, rng=random.Random(seed)) for seed in range(20)]
    for step, base in enumerate([1, 2, 4, 8, 8]):
        delays = [g.next_delay() for g in gates]
        assert all(0.8 * base <= d <= base for d in delays), (step, delays)
        assert len(set(delays)) == len(delays)  # no two gates retry in lock-step


@pytest.mark.parametrize(("initial", "cap", "jitter"), [(0, 1, 0.1), (2, 1, 0.1), (1, 2, 1.0)])
def test_back_off_refuses_nonsense(initial: float, cap: float, jitter: float) -> None:
    with pytest.raises(ValueError):
        Backoff(initial, cap, jitter=jitter)


def test_scaled_clock_runs_faster_than_the_wall_clock() -> None:
    clock = ScaledClock(50.0)
    wall, start = time.monotonic(), clock.monotonic()
    clock.sleep(1.0)
    assert clock.monotonic() - start >= 1.0
    assert time.monotonic() - wall < 0.5
    event = threading.Event()
    assert not clock.wait(event, 0.5)
    event.set()
    assert clock.wait(event, 100.0)


def test_every_driver_speaks_the_one_state_vocabulary() -> None:
    assert camera.DeviceState is thermometer.DeviceState is relay.DeviceState is DeviceState
    assert issubclass(camera.CaptureListener, DeviceListener)
    assert issubclass(thermometer.ThermometerListener, DeviceListener)
    assert DeviceState.READY.usable and not DeviceState.RECONNECTING.usable
