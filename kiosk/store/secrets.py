"""Secret files of the gate, readable by the owner only.

The campus key for ID-number HMACs is provisioned, never invented: every gate and the central
server must hold the same key, or HMACs made in one place never match in another. It is
installed with ``kiosk keys install-campus-key FILE``.
"""

from __future__ import annotations

import binascii
import hashlib
import logging
import re
import stat
from pathlib import Path

from kiosk.errors import UserError
from kiosk.store.private import private_dir, write_private

log = logging.getLogger(__name__)

KEY_BYTES = 32
INSTALL_HINT = "install it with `kiosk keys install-campus-key FILE`"


class SecretFileError(UserError):
    """A secret file is missing or cannot be used (wrong size, readable by others)."""

    label = "key error"


class CampusKeyMissing(SecretFileError):
    """No campus key is installed where the configuration says."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"no campus ID-number key at {path}; {INSTALL_HINT}")


def read_campus_key(path: Path) -> bytes:
    """The campus HMAC key at ``path`` (32 bytes, mode 0600), or :class:`CampusKeyMissing`."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CampusKeyMissing(path) from None
    if stat.S_ISDIR(info.st_mode):
        raise SecretFileError(f"{path}: is a directory, not a campus key file")
    mode = info.st_mode & 0o777
    if mode & 0o077:
        raise SecretFileError(f"{path}: readable by group or others (mode {mode:o}); chmod 600")
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise SecretFileError(f"{path}: expected {KEY_BYTES} bytes, found {len(key)}")
    return key


def parse_key_file(data: bytes, source: str) -> bytes:
    """A campus key as delivered: 32 raw bytes, or 64 hex digits (whitespace ignored)."""
    if len(data) == KEY_BYTES:
        return data
    text = re.sub(rb"\s+", b"", data)
    if len(text) == 2 * KEY_BYTES:
        try:
            return binascii.unhexlify(text)
        except binascii.Error:
            pass
    raise SecretFileError(
        f"{source}: expected a campus key of {KEY_BYTES} raw bytes or {2 * KEY_BYTES} hex digits"
    )


def fingerprint(key: bytes) -> str:
    """A short public name of a key (first 8 bytes of its SHA-256, hex) to compare gates by."""
    return hashlib.sha256(key).hexdigest()[:16]


def install_campus_key(path: Path, key: bytes, *, replace: bool = False) -> bool:
    """Write ``key`` to ``path`` owner-only (0600, directory 0700); False if already there.

    An existing different key is kept unless ``replace``: every stored HMAC was made with it.
    """
    if len(key) != KEY_BYTES:
        raise SecretFileError(f"expected a key of {KEY_BYTES} bytes, got {len(key)}")
    if path.exists():
        if read_campus_key(path) == key:
            return False
        if not replace:
            raise SecretFileError(
                f"{path}: a different campus key is installed (fingerprint"
                f" {fingerprint(read_campus_key(path))}); give --replace to change it"
            )
    private_dir(path.parent)
    write_private(path, key)
    log.info("campus key %s installed at %s", fingerprint(key), path)
    return True
