"""One screening measurement from the frames of a time window (pure)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from drivers.device import DeviceState
from drivers.thermometer.frames import Frame

Mode = Literal["surface", "body"]


@dataclass(frozen=True)
class Measurement:
    """The median of the window's frames; check :attr:`valid` before using :attr:`body_c`."""

    body_c: float
    """Body temperature: raw object + offset (surface mode) or the raw value (body mode)."""
    object_c: float
    """Median raw object temperature, as the device reported it."""
    ambient_c: float | None
    """Median ambient temperature, if the device reports one."""
    frames: int
    """Valid frames in the window."""
    valid: bool
    """False when ``body_c`` is outside the plausible range (policy ``temperature.valid_*``):
    retest, never pass."""
    mode: Mode
    """How ``body_c`` was derived."""
    offset_c: float
    """Offset added to the object temperature (0 in body mode)."""
    reason: str = ""
    """Why the measurement is invalid (empty when valid)."""


@dataclass(frozen=True)
class MeasurementError:
    """No measurement could be taken; never a number."""

    reason: str
    state: DeviceState
    frames: int = 0


MeasureResult = Measurement | MeasurementError


def summarize(
    frames: Sequence[Frame],
    *,
    mode: Mode,
    offset_c: float,
    min_frames: int,
    plausible_c: tuple[float, float],
) -> Measurement | None:
    """The measurement for ``frames``, or None when there are fewer than ``min_frames``.

    Devices that report body temperature (``Frame.is_body``) never get the offset added. A
    body value outside ``plausible_c`` (lowest, highest; the kiosk passes the policy's
    ``temperature.valid_min_c`` / ``valid_max_c``) is returned flagged invalid.
    """
    if len(frames) < max(min_frames, 1):
        return None
    obj = statistics.median(f.object_c for f in frames)
    ambients = [f.ambient_c for f in frames if f.ambient_c is not None]
    amb = statistics.median(ambients) if ambients else None
    body_mode = mode == "body" or all(f.is_body for f in frames)
    offset = 0.0 if body_mode else offset_c
    body = round(obj + offset, 2)
    reason = ""
    lowest, highest = plausible_c
    if body < lowest:
        reason = f"below {lowest:.1f} °C: too far or cold forehead, please retest"
    elif body > highest:
        reason = f"above {highest:.1f} °C: implausible, please retest"
    return Measurement(
        body_c=body,
        object_c=obj,
        ambient_c=amb,
        frames=len(frames),
        valid=not reason,
        mode="body" if body_mode else "surface",
        offset_c=offset,
        reason=reason,
    )
