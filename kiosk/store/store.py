"""Opening the kiosk's store from its configuration."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import alembic.util
import sqlalchemy
import sqlalchemy.exc
from sqlalchemy import Engine

from kiosk.config import KioskConfig
from kiosk.errors import StoreError, one_line
from kiosk.store.db import DatabaseBusyError, migrate, open_engine
from kiosk.store.log import DecisionLog
from kiosk.store.outbox import Outbox
from kiosk.store.private import private_dir
from kiosk.store.registry import RegistryWriter, SqlRegistry
from kiosk.store.secrets import read_campus_key

log = logging.getLogger(__name__)


@dataclass
class Store:
    """Everything the kiosk keeps: registry (read and write), decision log, outbox, campus key."""

    engine: Engine
    key_path: Path
    registry: SqlRegistry
    writer: RegistryWriter
    log: DecisionLog
    outbox: Outbox
    gate: str
    tz: dt.tzinfo
    _key: bytes | None = field(default=None, repr=False)

    @property
    def id_key(self) -> bytes:
        """The campus HMAC key; :class:`~kiosk.store.secrets.CampusKeyMissing` (one line,
        with the fix) if it is not installed."""
        if self._key is None:
            self._key = read_campus_key(self.key_path)
        return self._key

    def close(self) -> None:
        """Release connections."""
        self.registry.close()
        self.engine.dispose()


def open_store(config: KioskConfig) -> Store:
    """Open (and migrate) the database of ``config``; the data directory is made owner-only.

    The campus key is read when first needed (:attr:`Store.id_key`), so commands that do not
    match ID numbers work before it is installed. Raises :class:`~kiosk.errors.StoreError`
    naming the database or file when the data directory is not a directory, the database is
    not one (corrupt, another program's) or cannot be opened, or its schema is of an unknown
    revision.
    """
    where = _describe(config)
    if config.data_dir.exists() and not config.data_dir.is_dir():
        raise StoreError(f"data directory {config.data_dir}: not a directory")
    try:
        private_dir(config.data_dir)
        engine = open_engine(config.database_url)
        migrate(engine)
    except (sqlalchemy.exc.SQLAlchemyError, alembic.util.CommandError) as exc:
        raise database_error(exc, where) from exc
    except DatabaseBusyError as exc:
        raise StoreError(str(exc)) from exc
    except (ImportError, OSError) as exc:
        raise StoreError(f"{where}: cannot open ({_os_problem(exc)})") from exc
    gate = config.settings.gate.id
    log.debug("store open at %s", engine.url.render_as_string(hide_password=True))
    return Store(
        engine=engine,
        key_path=campus_key_path(config),
        registry=SqlRegistry(engine),
        writer=RegistryWriter(engine),
        log=DecisionLog(engine, gate=gate),
        outbox=Outbox(engine),
        gate=gate,
        tz=zoneinfo.ZoneInfo(config.settings.gate.time_zone),
    )


def campus_key_path(config: KioskConfig) -> Path:
    """Where the campus key of ``config`` lives (``paths.id_hmac_key_file``)."""
    return config.secret_path(config.settings.paths.id_hmac_key_file)


def database_error(exc: Exception, where: str = "database") -> StoreError:
    """A :class:`StoreError` in the driver's own words (``file is not a database``), without
    the SQL or links SQLAlchemy adds; also for damage found after the database opened."""
    original = getattr(exc, "orig", None)
    text = one_line(str(original if original is not None else exc)) or type(exc).__name__
    if isinstance(exc, alembic.util.CommandError):
        text = f"schema of an unknown version ({text}); is it another program's?"
    return StoreError(f"{where}: {text}")


def _describe(config: KioskConfig) -> str:
    url = sqlalchemy.make_url(config.database_url)
    if url.get_backend_name() != "sqlite":
        return f"database {url.render_as_string(hide_password=True)}"
    return f"database {url.database}"


def _os_problem(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return one_line(str(exc))
