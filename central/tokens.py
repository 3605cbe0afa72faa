"""API tokens: 256 random bits with a class prefix, stored as their SHA-256 only."""

from __future__ import annotations

import hashlib
import secrets

GATE_PREFIX = "cgt_"
ADMIN_PREFIX = "cat_"


def new_token(prefix: str) -> str:
    """A fresh token (``cgt_…`` for a gate, ``cat_…`` for an admin)."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the server stores and looks tokens up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like(token: str, prefix: str) -> bool:
    """Whether ``token`` has the shape of a token of this class (no database needed)."""
    return token.startswith(prefix) and 40 <= len(token) <= 60 and token.isascii()
