"""Replay detection for campus passes: a pass's nonce belongs to one gate transaction.

A nonce first seen in transaction A is refused in any other transaction until the pass
expires; rescanning it within A is fine (the camera sees the same code many times). Memory is
bounded: expired nonces are purged, and beyond ``max_entries`` the soonest-expiring are dropped.
Record with ``expires_at`` = the pass's ``exp`` plus the clock-skew allowance the decoder
used, since the decoder accepts the pass until then.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import threading

log = logging.getLogger(__name__)


class ReplayGuard:
    """Remembers which transaction used each campus-pass nonce, until the pass expires."""

    def __init__(self, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[str, dt.datetime]] = {}
        self._expiry: list[tuple[dt.datetime, bytes]] = []  # heap; may hold stale items
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def check(self, nonce: bytes, transaction_id: str, now: dt.datetime) -> bool:
        """True when ``nonce`` is unseen, expired, or already bound to ``transaction_id``."""
        with self._lock:
            self._purge(now)
            entry = self._entries.get(nonce)
            if entry is None:
                return True
            owner, expires_at = entry
            return owner == transaction_id or expires_at < now

    def record(self, nonce: bytes, transaction_id: str, expires_at: dt.datetime) -> None:
        """Bind ``nonce`` to ``transaction_id`` until ``expires_at``; the first binding wins."""
        with self._lock:
            entry = self._entries.get(nonce)
            if entry is not None and entry[0] != transaction_id:
                return
            if entry is not None and entry[1] >= expires_at:
                return
            self._entries[nonce] = (transaction_id, expires_at)
            heapq.heappush(self._expiry, (expires_at, nonce))
            while len(self._entries) > self.max_entries:
                dropped = self._pop_earliest()
                log.warning("replay guard full (%d): dropped a live nonce", self.max_entries)
                if dropped is None:  # pragma: no cover - heap always covers the entries
                    break
            if len(self._expiry) > 2 * len(self._entries) + 64:
                self._expiry = [(exp, n) for n, (_, exp) in self._entries.items()]
                heapq.heapify(self._expiry)

    def _purge(self, now: dt.datetime) -> None:
        while self._expiry and self._expiry[0][0] < now:
            self._pop_earliest()

    def _pop_earliest(self) -> bytes | None:
        while self._expiry:
            expires_at, nonce = heapq.heappop(self._expiry)
            entry = self._entries.get(nonce)
            if entry is not None and entry[1] == expires_at:
                del self._entries[nonce]
                return nonce
        return None
