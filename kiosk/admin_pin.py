"""The admin PIN: a salted scrypt hash in a private file, checked with a lockout.

Hard-rule overrides (fever, red code, risk area, quarantine) and the admin screen need it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.store.private import write_private

MIN_DIGITS = 6
_N, _R, _P = 2**14, 8, 1


class PinError(ValueError):
    """The PIN file is missing or unusable, or a new PIN is too weak."""


def _derive(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def set_pin(path: Path, pin: str) -> None:
    """Store a new PIN (at least six digits) in ``path``, readable by the owner only."""
    if len(pin) < MIN_DIGITS or not pin.isdigit():
        raise PinError(f"the admin PIN must be at least {MIN_DIGITS} digits")
    salt = os.urandom(16)
    doc = {
        "scheme": "scrypt",
        "n": _N,
        "r": _R,
        "p": _P,
        "salt": salt.hex(),
        "hash": _derive(pin, salt).hex(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(doc).encode("utf-8"))


class PinChecker:
    """Checks PINs against the file; ``max_attempts`` wrong ones lock it for ``lockout_s``."""

    def __init__(
        self,
        path: Path,
        max_attempts: int = 5,
        lockout_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.max_attempts = max_attempts
        self.lockout_s = lockout_s
        self._clock = clock
        self._failures = 0
        self._locked_until = 0.0
        self._lock = threading.Lock()

    @property
    def locked(self) -> bool:
        """True while wrong PINs have locked the checker."""
        return self._clock() < self._locked_until

    def check(self, pin: str) -> bool:
        """True for the right PIN; False for a wrong one, a locked checker or no PIN file."""
        with self._lock:
            if self.locked:
                return False
            ok = self._matches(pin)
            if ok:
                self._failures = 0
                return True
            self._failures += 1
            if self._failures >= self.max_attempts:
                self._failures = 0
                self._locked_until = self._clock() + self.lockout_s
            return False

    def _matches(self, pin: str) -> bool:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            salt = bytes.fromhex(doc["salt"])
            expected = bytes.fromhex(doc["hash"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return hmac.compare_digest(_derive(pin, salt), expected)
