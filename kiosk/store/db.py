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

from sqlalchemy import Connection, Engine, create_engine, event, make_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
_BEGIN_OPTION = "kiosk_sqlite_begin"
_NO_BEGIN = "none"


def open_engine(url: str) -> Engine:
    """Create an engine for ``url``; for a SQLite file, create its directory and set pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
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


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
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
