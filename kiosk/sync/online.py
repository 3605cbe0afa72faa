"""Online health-code verification through the central server (``docs/sync-api.md`` §6).

The gate service runs :class:`OnlineCheck` on its "online-check" workers and bounds it with
its own timer; this side asks once, with a short timeout and no retries, and tells three
failures apart:

* ``unreachable`` — no answer: connection refused or dropped, too slow, busy (408, 429, 5xx).
  The gate waits for the guard, who looks at the phone and confirms (``confirm_guard``).
* ``unverified`` — the server answered that it cannot vouch for the code; refused like a
  red or yellow answer (an override with a reason can still admit).
* ``invalid`` — an answer the gate cannot use (not JSON, an unknown colour, a final error
  status such as 401): refused as unverified too, logged as such.

Never an automatic admit on a fault.
"""

from __future__ import annotations

import logging

from kiosk.core.evidence import OnlineColor
from kiosk.sync.http import ServerClient, ServerError, Unreachable

log = logging.getLogger(__name__)

VERIFY_PATH = "/api/v1/verify/health-code"
ANSWERS: frozenset[str] = frozenset({"green", "yellow", "red", "unverified"})
"""The colours the server may answer (``central.verify``)."""


class OnlineCheck:
    """Asks the server for a URL code's colour: a blocking call of at most ``timeout_s``."""

    def __init__(self, client: ServerClient, timeout_s: float) -> None:
        self.client = client
        self.timeout_s = timeout_s

    def __call__(self, code: str) -> OnlineColor:
        """The colour the server's backend reports, ``unreachable`` or ``invalid``."""
        try:
            answer = self.client.request(
                "POST", VERIFY_PATH, body={"code": code}, retry=False, timeout_s=self.timeout_s
            )
        except Unreachable as exc:
            log.warning("online health-code check got no answer: %s", exc)
            return "unreachable"
        except ServerError as exc:
            log.warning("online health-code check: unusable answer: %s", exc)
            return "invalid"
        color = answer.get("color") if isinstance(answer, dict) else None
        if color not in ANSWERS:
            log.warning("online health-code check: unexpected answer %r", color)
            return "invalid"
        return color
