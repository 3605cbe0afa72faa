"""Opening the kiosk's store from its configuration."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from kiosk.config import KioskConfig
from kiosk.store.db import migrate, open_engine
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
        """The campus HMAC key; :class:`CampusKeyMissing` (one line, with the fix) if absent."""
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
    match ID numbers work before it is installed.
    """
    private_dir(config.data_dir)
    engine = open_engine(config.database_url)
    migrate(engine)
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
