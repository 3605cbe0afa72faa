"""Online health-code verification behind one interface, with a reference backend for demos.

A backend answers ``green``, ``yellow``, ``red`` or ``unverified`` for a code a gate could not
verify offline; :class:`BackendUnavailable` means "ask again later" (the API answers 503 with
``Retry-After``). The reference backend answers from codes an admin registered
(``central admin health-code add``); it stores only each code's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Literal, Protocol

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from central.models import HealthCodeRow, table
from kiosk.store.db import read_connection, write_connection

Color = Literal["green", "yellow", "red", "unverified"]
COLORS: tuple[Color, ...] = ("green", "yellow", "red")
HEALTH_CODES = table(HealthCodeRow)
MAX_CODE_CHARS = 4096


class BackendUnavailable(RuntimeError):
    """The backend cannot answer now; the gate may ask again after ``retry_after_s``."""

    def __init__(self, message: str, retry_after_s: int = 2) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class HealthCodeBackend(Protocol):
    """Says what colour a health code is."""

    name: str

    def check(self, code: str) -> Color: ...


def code_hash(code: str) -> str:
    """How a code is stored: SHA-256 hex of its UTF-8 text."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class ReferenceBackend:
    """Answers from the ``health_codes`` table; an unknown code is ``unverified``."""

    name = "reference"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def check(self, code: str) -> Color:
        """The registered colour of ``code``."""
        try:
            with read_connection(self._engine) as conn:
                stmt = select(HEALTH_CODES.c.color).where(
                    HEALTH_CODES.c.code_hash == code_hash(code)
                )
                color = conn.scalar(stmt)
        except OperationalError as exc:
            raise BackendUnavailable(f"database unavailable ({type(exc.orig).__name__})") from None
        return color if color in COLORS else "unverified"

    def register(self, code: str, color: Color, now: dt.datetime) -> None:
        """Make ``code`` answer ``color`` (replacing an earlier colour)."""
        if color not in COLORS:
            raise ValueError(f"expected a colour ({', '.join(COLORS)}), got {color!r}")
        h = code_hash(code)
        with write_connection(self._engine) as conn, conn.begin():
            conn.execute(HEALTH_CODES.delete().where(HEALTH_CODES.c.code_hash == h))
            conn.execute(HEALTH_CODES.insert().values(code_hash=h, color=color, added_at=now))


BACKENDS: dict[str, Callable[[Engine], HealthCodeBackend]] = {"reference": ReferenceBackend}
"""Backends by the name ``central serve --verifier`` takes."""
