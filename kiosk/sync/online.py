"""Online health-code verification through the central server (``docs/sync-api.md`` §6).

The gate service runs :class:`OnlineCheck` on its "online-check" workers and bounds it with
its own timer; this side asks once, with a short timeout and no retries, and answers
``unverified`` whenever the server cannot say (unreachable, slow, busy, a bad answer). The
gate then refuses the code as ``HEALTH_CODE_UNVERIFIED`` and the guard decides: look at the
phone and override with a reason, never an automatic admit.
"""

from __future__ import annotations

import logging
from typing import get_args

from kiosk.core.evidence import OnlineColor
from kiosk.sync.http import ServerClient, ServerError

log = logging.getLogger(__name__)

VERIFY_PATH = "/api/v1/verify/health-code"
ANSWERS: frozenset[str] = frozenset(get_args(OnlineColor)) - {"checking"}


class OnlineCheck:
    """Asks the server for a URL code's colour: a blocking call of at most ``timeout_s``."""

    def __init__(self, client: ServerClient, timeout_s: float) -> None:
        self.client = client
        self.timeout_s = timeout_s

    def __call__(self, code: str) -> OnlineColor:
        """The colour the server's backend reports, or ``unverified``."""
        try:
            answer = self.client.request(
                "POST", VERIFY_PATH, body={"code": code}, retry=False, timeout_s=self.timeout_s
            )
        except ServerError as exc:
            log.warning("online health-code check failed: %s", exc)
            return "unverified"
        color = answer.get("color") if isinstance(answer, dict) else None
        if color not in ANSWERS:
            log.warning("online health-code check: unexpected answer %r", color)
            return "unverified"
        return color
