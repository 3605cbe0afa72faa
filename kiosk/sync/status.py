"""What the kiosk knows about its link to the central server, for the screen and the CLI.

The sync worker publishes a new :class:`SyncStatus` after every attempt; readers (the status
bar, ``kiosk sync status``) only read it. A kiosk with no server configured reports
``configured=False`` and shows "not configured", never invented figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncStatus:
    """One reading of the sync state; ``None`` fields are unknown, not zero."""

    configured: bool
    """Whether a server URL and gate token are set."""
    last_success: dt.datetime | None = None
    """When the last pull or push fully succeeded (UTC)."""
    last_error: str | None = None
    """One line on the last failure, cleared by a success."""
    backlog: int | None = None
    """Decision records waiting to be uploaded (pending + in flight)."""
    rejected: int | None = None
    """Records the server refused for good (kept, visible, never dropped)."""
    registry_version: str | None = None
    """The registry version the kiosk last applied."""
    registry_synced_at: dt.datetime | None = None
    """When the registry was last brought up to date from the server (UTC)."""
    clock_skew_s: float | None = None
    """Server time minus kiosk time, from the server's ``Date`` header."""

    def registry_age_s(self, now: dt.datetime) -> float | None:
        """Seconds since the registry was last synced, or ``None`` when it never was."""
        if self.registry_synced_at is None:
            return None
        return max(0.0, (now - self.registry_synced_at).total_seconds())


NOT_CONFIGURED = SyncStatus(configured=False)
"""The status of a kiosk with no server: the screen says "not configured"."""
