"""Secret files of the gate: created on first use, readable by the owner only."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

KEY_BYTES = 32


class SecretFileError(RuntimeError):
    """A secret file exists but cannot be used (wrong size, readable by others)."""


def load_or_create_key(path: Path) -> bytes:
    """Read the campus HMAC key at ``path``, creating it (32 random bytes, mode 0600) if absent."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = os.urandom(KEY_BYTES)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # atomic; fails if another process got there first
    except FileExistsError:
        return _read_key(path)
    finally:
        tmp.unlink(missing_ok=True)
    log.warning("created a new campus key for ID number HMACs at %s", path)
    return key


def _read_key(path: Path) -> bytes:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise SecretFileError(f"{path}: readable by group or others (mode {mode:o}); chmod 600")
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise SecretFileError(f"{path}: expected {KEY_BYTES} bytes, found {len(key)}")
    return key
