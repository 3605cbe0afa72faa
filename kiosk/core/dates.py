"""The span of dates and times the kiosk handles: 1970-01-01 to 9998-12-31.

Its log, codes, approvals and leaves all lie in it, and a day or a time-zone shift either side
of it never overflows Python's dates (year 1 to 9999), so a date at year 1 or 9999 from the
command line, a CSV file or the sync feed is refused where it comes in instead of overflowing
a conversion to UTC later. Credentials keep their own wire limits (docs/credentials.md).
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

D = TypeVar("D", bound=dt.date)
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(9998, 12, 31)


class DateRangeError(ValueError):
    """A date or time outside :data:`EARLIEST` … :data:`LATEST`."""

    def __init__(self, value: dt.date) -> None:
        day = value.date() if isinstance(value, dt.datetime) else value
        super().__init__(f"expected a date from {EARLIEST} to {LATEST}, got {day.isoformat()}")


def check_date(value: D) -> D:
    """``value`` (a date, or a time by its own date) if it lies in the span, else an error."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise DateRangeError(value)
    return value
