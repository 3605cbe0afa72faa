"""The central server's database: engine, migrations and its few settings rows.

SQLite (a file in the data directory) by default, PostgreSQL for a campus; the engine comes
from :func:`kiosk.store.db.open_engine` (WAL, ``synchronous=FULL``, busy timeout on SQLite).
Writers use :func:`kiosk.store.db.write_connection` so SQLite takes its write lock at once.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from central.models import MetaRow, table
from kiosk.errors import StoreError
from kiosk.store.db import DatabaseBusyError, migrate, open_engine, write_connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
META = table(MetaRow)
DATABASE_FILE = "central.db"


def default_url(data_dir: Path) -> str:
    """The SQLite database in ``data_dir``."""
    return f"sqlite:///{data_dir / DATABASE_FILE}"


def open_database(url: str) -> Engine:
    """An engine for ``url`` with the schema at the newest revision and the meta rows made.

    Raises :class:`kiosk.errors.StoreError` (one line) when the database cannot be used.
    """
    shown = url.split("@")[-1] if "@" in url else url
    try:
        engine = open_engine(url)
        migrate(engine, MIGRATIONS)
        with write_connection(engine) as conn, conn.begin():
            _ensure_meta(conn)
    except DatabaseBusyError as exc:
        raise StoreError(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise StoreError(f"{shown}: no database driver ({exc.name})") from None
    except (OperationalError, IntegrityError) as exc:
        raise StoreError(f"{shown}: cannot open the database ({_first_line(exc)})") from None
    except SQLAlchemyError as exc:
        raise StoreError(f"{shown}: not a central server database ({_first_line(exc)})") from None
    return engine


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _ensure_meta(conn: Connection) -> None:
    have = {row.key for row in conn.execute(select(META.c.key))}
    defaults = {"epoch": secrets.token_hex(4), "feed_seq": "0", "feed_floor": "0"}
    missing = [{"key": k, "value": v} for k, v in defaults.items() if k not in have]
    if missing:
        conn.execute(insert(META), missing)


def get_meta(conn: Connection, key: str) -> str:
    """The value of one meta row."""
    value = conn.execute(select(META.c.value).where(META.c.key == key)).scalar_one()
    return str(value)


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Change one meta row (inside the caller's transaction)."""
    conn.execute(update(META).where(META.c.key == key).values(value=value))
