"""The server's secrets in its data directory: the campus key and the issuer's signing keys.

``secrets/campus.key`` is the campus key for ID-number HMACs (32 raw bytes, mode 0600), made
once by ``central init`` or installed from the campus's copy; gates receive it at enrolment.
``secrets/issuer/<kid>.pem`` are the campus issuer's signing keys (``VA1`` visit slips);
the newest one named in ``secrets/issuer/current`` signs, older ones stay for the record.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from kiosk.core.credentials.keys import SigningKey
from kiosk.store.private import owner_only_umask, private_dir, write_private
from kiosk.store.secrets import (
    KEY_BYTES,
    SecretFileError,
    install_campus_key,
    read_campus_key,
)


class ServerKeys:
    """The secrets of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "secrets"
        self.campus_key_file = self.dir / "campus.key"
        self.issuer_dir = self.dir / "issuer"

    def ensure_campus_key(self) -> bool:
        """Make a random campus key if there is none; True if one was made."""
        if self.campus_key_file.exists():
            read_campus_key(self.campus_key_file)
            return False
        return install_campus_key(self.campus_key_file, secrets.token_bytes(KEY_BYTES))

    def campus_key(self) -> bytes:
        """The campus key (``SecretFileError`` if missing or unusable)."""
        return read_campus_key(self.campus_key_file)

    def install_campus_key(self, key: bytes, *, replace: bool = False) -> bool:
        """Install the campus's existing key (before any record is stored)."""
        return install_campus_key(self.campus_key_file, key, replace=replace)

    def signing_key(self) -> SigningKey:
        """The issuer key that signs now (``SecretFileError`` if none was made)."""
        current = self.issuer_dir / "current"
        try:
            kid = current.read_text().strip()
        except FileNotFoundError:
            raise SecretFileError(
                f"no issuer key in {self.issuer_dir}; run `central keys rotate`"
            ) from None
        return SigningKey.from_pem((self.issuer_dir / f"{kid}.pem").read_bytes())

    def has_signing_key(self) -> bool:
        """Whether an issuer key was made."""
        return (self.issuer_dir / "current").exists()

    def new_signing_key(self) -> SigningKey:
        """Make a new Ed25519 issuer key, store it owner-only and make it the current one."""
        key = SigningKey.generate("EdDSA")
        private_dir(self.issuer_dir)
        with owner_only_umask():
            write_private(self.issuer_dir / f"{key.kid.hex()}.pem", key.to_pem())
            write_private(self.issuer_dir / "current", key.kid.hex().encode() + b"\n")
        return key
