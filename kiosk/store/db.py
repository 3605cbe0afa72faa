"""Engines and schema migrations.

SQLite gets WAL journaling with ``synchronous=FULL`` (a commit is on disk when it returns),
foreign keys and a busy timeout. Transactions are begun explicitly (``BEGIN``), so a writer can
ask for ``BEGIN IMMEDIATE`` with :func:`write_connection` and never meet a lock upgrade
failure. Other databases (PostgreSQL) are used as SQLAlchemy opens them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, event, make_url

from kiosk.store.private import owner_only_umask, private_dir, restrict_files

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
MIGRATE_LOCK_TIMEOUT_S = 60.0
_BEGIN_OPTION = "kiosk_sqlite_begin"
_NO_BEGIN = "none"


class DatabaseBusyError(RuntimeError):
    """The database stayed locked by another process for longer than we wait."""


def open_engine(url: str) -> Engine:
    """Create an engine for ``url``; for a SQLite file, create its directory if missing (mode
    0700; an existing one is left as it is) and set pragmas. :func:`migrate` makes the
    database files owner-only."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    file = sqlite_file(url)
    if file is not None:
        private_dir(file.parent, tighten=False)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def write_connection(engine: Engine) -> Connection:
    """A connection whose transactions take the write lock at once (SQLite ``BEGIN IMMEDIATE``)."""
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
    return conn


def read_connection(engine: Engine) -> Connection:
    """A connection for lookups: on SQLite each statement is its own read transaction.

    SQLAlchemy still considers the connection to be in a transaction after a query; call
    :func:`begin_read` to group statements in one real read transaction, and ``rollback()`` to
    end it.
    """
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        conn.execution_options(**{_BEGIN_OPTION: _NO_BEGIN})
    return conn


def begin_read(conn: Connection) -> None:
    """Start a real read transaction on a :func:`read_connection` (ended by ``rollback()``)."""
    if conn.dialect.name == "sqlite":
        conn.rollback()
        conn.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def migrate(engine: Engine, migrations: Path = MIGRATIONS) -> None:
    """Bring the schema to the newest Alembic revision of ``migrations`` (the kiosk's by
    default; the central server passes its own).

    For a SQLite file, processes starting together take turns on a lock file beside the
    database (``kiosk.db.lock``), so a fresh data directory is created and migrated once,
    and the database, its WAL and shared-memory files end up owner-only.
    """
    file = sqlite_file(engine.url.render_as_string(hide_password=False))
    if file is None:
        _upgrade(engine, migrations)
        return
    with owner_only_umask():
        lock = FileLock(f"{file}.lock", timeout=MIGRATE_LOCK_TIMEOUT_S, mode=0o600)
        try:
            with lock:
                _upgrade(engine, migrations)
        except Timeout:
            raise DatabaseBusyError(
                f"{file}: another process has been migrating it for over"
                f" {MIGRATE_LOCK_TIMEOUT_S:.0f} s (lock {lock.lock_file})"
            ) from None
    restrict_files(file, Path(f"{file}-wal"), Path(f"{file}-shm"), Path(f"{file}.lock"))


def _upgrade(engine: Engine, migrations: Path) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    log.debug("schema migrated to head")


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN instead of the driver's implicit handling.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    mode = options.get(_BEGIN_OPTION, "DEFERRED")
    if options.get("isolation_level") == "AUTOCOMMIT" or mode == _NO_BEGIN:
        return
    conn.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]
