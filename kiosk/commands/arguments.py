"""Argument types shared by the sub-commands: numbers within bounds, dates and times in range.

Each turns a bad value into an ``argparse`` usage error that names the expected form, so an
absurd value (year 1 or 9999, a validity of a million years, a negative count) stops at the
command line instead of overflowing somewhere inside.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Callable

from kiosk.core.dates import DateRangeError, check_date
from kiosk.core.identifiers import IdentifierError


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An integer from ``low`` to ``high`` inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer {low}–{high}, got {text!r}")
        return value

    return parse


def bounded_float(low: float, high: float, *, low_open: bool = False) -> Callable[[str], float]:
    """A finite number from ``low`` (exclusive if ``low_open``) to ``high`` inclusive."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        above = value > low if low_open else value >= low
        if not (math.isfinite(value) and above and value <= high):
            lower = f"more than {low:g}" if low_open else f"{low:g}"
            raise argparse.ArgumentTypeError(f"expected a number {lower} to {high:g}, got {text!r}")
        return value

    return parse


def identifier(check: Callable[[str], str]) -> Callable[[str], str]:
    """An identifier accepted by ``check`` (one of :mod:`kiosk.core.identifiers`)."""

    def parse(text: str) -> str:
        try:
            return check(text)
        except IdentifierError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def local_date(text: str) -> dt.date:
    """A date ``YYYY-MM-DD`` from 1970 to 9998."""
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None
    try:
        return check_date(value)
    except DateRangeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def aware_time(text: str) -> dt.datetime:
    """An ISO 8601 time with a UTC offset, from 1970 to 9998."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected an ISO 8601 time with UTC offset, e.g. 2022-01-08T09:00+08:00"
        )
    try:
        return check_date(value)
    except DateRangeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
