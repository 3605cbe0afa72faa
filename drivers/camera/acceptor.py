"""When a decoded payload becomes a trigger: repeated over frames, or verified, not too often."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from drivers.camera.result import DecodeResult

log = logging.getLogger(__name__)

Verifier = Callable[[bytes], bool]


class CodeAcceptor:
    """Accept a payload once it is seen in ``repeats`` consecutive frames, or at once when
    ``verifier(raw)`` says it is a valid signed credential; the same payload is not accepted
    again until ``holdoff_s`` seconds after it was last accepted.

    Call :meth:`offer` once per decoded frame (with an empty list for a frame without codes).
    """

    def __init__(
        self,
        repeats: int = 2,
        holdoff_s: float = 3.0,
        verifier: Verifier | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if repeats < 1:
            raise ValueError("repeats must be at least 1")
        self.repeats = repeats
        self.holdoff_s = holdoff_s
        self._verifier = verifier
        self._clock = clock
        self._streak: dict[bytes, int] = {}
        self._accepted_at: dict[bytes, float] = {}

    def offer(self, results: Sequence[DecodeResult]) -> list[DecodeResult]:
        """Feed one frame's results; return those accepted now (at most one per payload)."""
        now = self._clock()
        self._accepted_at = {
            raw: t for raw, t in self._accepted_at.items() if now - t < self.holdoff_s
        }
        seen: dict[bytes, DecodeResult] = {}
        for result in results:
            seen.setdefault(result.raw, result)
        self._streak = {raw: self._streak.get(raw, 0) + 1 for raw in seen}
        accepted = []
        for raw, result in seen.items():
            if raw in self._accepted_at:
                continue
            if self._streak[raw] >= self.repeats or self._verifies(raw):
                self._accepted_at[raw] = now
                accepted.append(result)
        return accepted

    def reset(self) -> None:
        """Forget streaks and hold-offs (e.g. after the transaction is cancelled)."""
        self._streak.clear()
        self._accepted_at.clear()

    def _verifies(self, raw: bytes) -> bool:
        if self._verifier is None:
            return False
        try:
            return bool(self._verifier(raw))
        except Exception:  # noqa: BLE001 - a verifier bug must not stop scanning
            log.exception("credential verifier raised; falling back to repetition")
            return False
