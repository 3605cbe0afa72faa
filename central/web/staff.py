"""Staff accounts and sessions: Argon2id password hashes, lockout, session cookies, CSRF.

A session is a random token in an HttpOnly, SameSite=Strict cookie; the server keeps only its
SHA-256. Each session has its own CSRF token that every form posts back. After
``MAX_FAILURES`` wrong passwords in a row an account is locked for ``LOCKOUT``; the answer to a
wrong name, a wrong password and a locked account is the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from central.context import Central, CentralError, Conflict
from central.models import table
from central.web.models import SessionRow, StaffRow
from kiosk.store.db import read_connection, write_connection

StaffRole = Literal["host", "office", "admin"]
ROLES: tuple[str, ...] = get_args(StaffRole)
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
STAFF = table(StaffRow)
SESSIONS = table(SessionRow)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class LoginFailed(CentralError):
    """Wrong name, wrong password or a locked account: one message for all three."""

    code = "unauthorized"
    status = 401


@dataclass(frozen=True)
class Staff:
    """The member of staff a session belongs to."""

    id: int
    username: str
    role: StaffRole
    unit: str


@dataclass(frozen=True)
class Session:
    """A logged-in browser: who, and the CSRF token its forms must carry."""

    staff: Staff
    csrf: str


def token_digest(token: str) -> str:
    """SHA-256 (hex) of a random token: what the server stores instead of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_staff(
    central: Central, username: str, password: str, role: str, unit: str, actor: str
) -> None:
    """Create a staff account (``host`` staff need their ``unit``)."""
    if not USERNAME.match(username):
        raise CentralError("username: expected 2–32 lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise CentralError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    if role == "host" and not unit.strip():
        raise CentralError("unit: host-unit staff need their unit")
    if len(password) < MIN_PASSWORD:
        raise CentralError(f"password: expected at least {MIN_PASSWORD} characters")
    with write_connection(central.engine) as conn, conn.begin():
        if conn.scalar(select(STAFF.c.id).where(STAFF.c.username == username)) is not None:
            raise Conflict(f"staff {username!r} exists")
        conn.execute(
            insert(STAFF).values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                unit=unit.strip(),
                failed_logins=0,
                created_at=central.now(),
            )
        )
        central.audit(conn, actor, "staff_add", username=username, role=role, unit=unit)


def log_in(central: Central, username: str, password: str) -> tuple[str, Session]:
    """Check the password; returns the new session's cookie token and the session.

    Raises :class:`LoginFailed` for a wrong name or password or a locked account (every
    attempt is audited; the fifth wrong password in a row locks the account)."""
    now = central.now()
    with write_connection(central.engine) as conn, conn.begin():
        row = conn.execute(select(STAFF).where(STAFF.c.username == username)).one_or_none()
        if row is None:
            _verify(_DUMMY_HASH, password)  # same work as for a real account
            central.audit(conn, "web", "login_failed", username=username[:32])
            failed = True
        elif row.locked_until is not None and row.locked_until > now:
            central.audit(conn, row.username, "login_locked")
            failed = True
        elif not _verify(row.password_hash, password):
            failures = row.failed_logins + 1
            locked = now + LOCKOUT if failures >= MAX_FAILURES else None
            conn.execute(
                update(STAFF)
                .where(STAFF.c.id == row.id)
                .values(failed_logins=0 if locked else failures, locked_until=locked)
            )
            central.audit(conn, row.username, "login_failed", locked=locked is not None)
            failed = True
        else:
            failed = False
    if failed or row is None:
        raise LoginFailed("wrong user name or password, or the account is locked for a while")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with write_connection(central.engine) as conn, conn.begin():
        conn.execute(
            update(STAFF).where(STAFF.c.id == row.id).values(failed_logins=0, locked_until=None)
        )
        conn.execute(delete(SESSIONS).where(SESSIONS.c.expires_at < now))
        conn.execute(
            insert(SESSIONS).values(
                token_hash=token_digest(token),
                staff_id=row.id,
                csrf=csrf,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        central.audit(conn, row.username, "login")
    return token, Session(_staff(row), csrf)


def session_of(central: Central, token: str | None) -> Session | None:
    """The live session of a cookie token (None: missing, unknown or expired)."""
    if not token or len(token) > 100:
        return None
    stmt = (
        select(SESSIONS.c.csrf, SESSIONS.c.expires_at, STAFF)
        .join(STAFF, STAFF.c.id == SESSIONS.c.staff_id)
        .where(SESSIONS.c.token_hash == token_digest(token))
    )
    with read_connection(central.engine) as conn:
        row = conn.execute(stmt).one_or_none()
    if row is None or row.expires_at <= central.now():
        return None
    return Session(_staff(row), row.csrf)


def log_out(central: Central, token: str) -> None:
    """End the session of a cookie token."""
    with write_connection(central.engine) as conn, conn.begin():
        conn.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == token_digest(token)))


def csrf_ok(session: Session, posted: str) -> bool:
    """Whether a form's CSRF token is the session's (constant-time)."""
    return hmac.compare_digest(session.csrf.encode(), posted.encode())


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _staff(row: object) -> Staff:
    return Staff(row.id, row.username, row.role, row.unit)  # type: ignore[attr-defined]
