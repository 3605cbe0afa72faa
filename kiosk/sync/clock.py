"""The kiosk's clock as seen from the server: skew from the ``Date`` header, feeding rule R15.

Every answer from the central server carries a ``Date`` header (RFC 9110, one-second
resolution). The skew is the server's time minus ours at the moment the answer was sent
(estimated as the middle of the round trip). When it exceeds ``server.max_clock_skew_s`` the
clock is untrusted and the gate asks the guard to confirm instead of admitting by itself.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import threading

log = logging.getLogger(__name__)

DATE_RESOLUTION_S = 1.0
"""``Date`` carries whole seconds: a measured skew is only good to about a second."""


def parse_http_date(value: str | None) -> dt.datetime | None:
    """The UTC time of an HTTP ``Date`` header; None when absent or malformed."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC)


class ClockSkew:
    """The last measured skew and whether it lets the gate trust its clock (thread-safe).

    Before the first measurement the clock is trusted (a kiosk that never reached its server
    keeps deciding on its own clock; the registry's age, R15, limits how long).
    """

    def __init__(self, max_skew_s: float) -> None:
        self.max_skew_s = max_skew_s
        self._lock = threading.Lock()
        self._skew_s: float | None = None
        self._measured_at: dt.datetime | None = None

    def observe(
        self, date_header: str | None, sent_at: dt.datetime, received_at: dt.datetime
    ) -> None:
        """Record the skew from one answer's ``Date`` header and the request's round trip."""
        server = parse_http_date(date_header)
        if server is None:
            return
        middle = sent_at + (received_at - sent_at) / 2
        # The header truncates to the second: on average the server's clock is 0.5 s later.
        skew = (server - middle).total_seconds() + DATE_RESOLUTION_S / 2
        with self._lock:
            before = self._skew_s
            self._skew_s = skew
            self._measured_at = received_at
        if abs(skew) > self.max_skew_s and (before is None or abs(before) <= self.max_skew_s):
            log.warning("clock differs from the server's by %.0f s: clock untrusted", skew)

    @property
    def skew_s(self) -> float | None:
        """Server time minus kiosk time in seconds, or None before the first answer."""
        with self._lock:
            return self._skew_s

    def trusted(self) -> bool:
        """False while the last measured skew exceeds ``max_skew_s`` (the gate's hook)."""
        with self._lock:
            skew = self._skew_s
        return skew is None or abs(skew) <= self.max_skew_s + DATE_RESOLUTION_S
