"""Device-state rules and the measurement summary (pure, clock passed in)."""

from __future__ import annotations

import pytest

from drivers.thermometer import DeviceState, Frame, HealthLimits
from drivers.thermometer.health import HealthMonitor
from drivers.thermometer.measurement import summarize

PLAUSIBLE_C = (34.0, 42.0)  # the policy's default temperature.valid_min_c / valid_max_c

LIMITS = HealthLimits(stale_s=2.0, frozen_s=5.0, ambient_min_c=10.0, ambient_max_c=40.0)


def test_connecting_until_first_frame_then_stale() -> None:
    h = HealthMonitor(LIMITS, now=0.0)
    assert h.evaluate(1.0)[0] is DeviceState.CONNECTING
    assert h.evaluate(2.5)[0] is DeviceState.STALE


def test_ok_then_stale_without_frames() -> None:
    h = HealthMonitor(LIMITS, now=0.0)
    h.frame(Frame(35.9, 24.0), 0.1)
    assert h.evaluate(0.2) == (DeviceState.READY, "ok")
    assert h.evaluate(2.0)[0] is DeviceState.READY
    assert h.evaluate(2.2)[0] is DeviceState.STALE


def test_frozen_values_are_a_fault_changing_values_are_not() -> None:
    h = HealthMonitor(LIMITS, now=0.0)
    for i in range(60):
        h.frame(Frame(35.9, 24.0), i * 0.1)
    state, detail = h.evaluate(6.0)
    assert state is DeviceState.FAULT and "frozen" in detail
    h.frame(Frame(35.91, 24.0), 6.1)
    assert h.evaluate(6.2)[0] is DeviceState.READY


@pytest.mark.parametrize(("ambient", "state"), [(9.9, "fault"), (10.0, "ready"), (40.1, "fault")])
def test_ambient_range(ambient: float, state: str) -> None:
    h = HealthMonitor(LIMITS, now=0.0)
    h.frame(Frame(35.9, ambient), 0.1)
    assert h.evaluate(0.2)[0].value == state


def test_bad_frames_in_a_row_are_a_fault_and_a_valid_frame_clears_it() -> None:
    h = HealthMonitor(LIMITS, now=0.0)
    h.frame(Frame(35.9, 24.0), 0.1)
    for _ in range(5):
        h.bad("checksum error")
    assert h.evaluate(0.3)[0] is DeviceState.FAULT
    h.frame(Frame(35.8, 24.0), 0.4)
    assert h.evaluate(0.5)[0] is DeviceState.READY


def test_only_bad_frames_past_the_stale_time_is_a_fault() -> None:
    h = HealthMonitor(LIMITS, now=0.0)
    h.bad("checksum error")
    assert h.evaluate(2.5)[0] is DeviceState.FAULT


def frames(*values: float, body: bool = False) -> list[Frame]:
    return [Frame(v, 24.0 if not body else None, is_body=body) for v in values]


def test_median_plus_offset_in_surface_mode() -> None:
    m = summarize(
        frames(35.8, 36.0, 35.9, 39.0),
        mode="surface",
        offset_c=0.9,
        min_frames=3,
        plausible_c=PLAUSIBLE_C,
    )
    assert m is not None
    assert (m.object_c, m.body_c, m.ambient_c, m.frames) == (35.95, 36.85, 24.0, 4)
    assert m.valid and m.mode == "surface" and m.offset_c == 0.9


def test_body_mode_and_body_frames_take_the_value_as_is() -> None:
    m = summarize(
        frames(36.7, 36.8, 36.7), mode="body", offset_c=0.9, min_frames=3, plausible_c=PLAUSIBLE_C
    )
    assert m is not None and m.body_c == 36.7 and m.offset_c == 0.0
    m = summarize(
        frames(36.7, 36.8, 36.7, body=True),
        mode="surface",
        offset_c=0.9,
        min_frames=3,
        plausible_c=PLAUSIBLE_C,
    )
    assert m is not None and m.body_c == 36.7 and m.mode == "body" and m.ambient_c is None


@pytest.mark.parametrize(
    ("raw", "valid", "reason"),
    [(33.0, False, "below 34.0"), (33.1, True, ""), (41.1, True, ""), (41.2, False, "above 42.0")],
)
def test_out_of_range_body_is_flagged_never_dropped(raw: float, valid: bool, reason: str) -> None:
    m = summarize(
        frames(raw, raw, raw), mode="surface", offset_c=0.9, min_frames=3, plausible_c=PLAUSIBLE_C
    )
    assert m is not None
    assert m.valid is valid and reason in m.reason
    assert m.body_c == round(raw + 0.9, 2)


def test_too_few_frames() -> None:
    assert (
        summarize(
            frames(36.0, 36.1), mode="surface", offset_c=0.9, min_frames=3, plausible_c=PLAUSIBLE_C
        )
        is None
    )
