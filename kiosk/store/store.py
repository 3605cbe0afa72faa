"""Opening the kiosk's store from its configuration."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import Engine

from kiosk.config import KioskConfig
from kiosk.store.db import migrate, open_engine
from kiosk.store.log import DecisionLog
from kiosk.store.outbox import Outbox
from kiosk.store.registry import RegistryWriter, SqlRegistry
from kiosk.store.secrets import load_or_create_key

log = logging.getLogger(__name__)


@dataclass
class Store:
    """Everything the kiosk keeps: registry (read and write), decision log, outbox, campus key."""

    engine: Engine
    id_key: bytes
    registry: SqlRegistry
    writer: RegistryWriter
    log: DecisionLog
    outbox: Outbox
    gate: str
    tz: dt.tzinfo

    def close(self) -> None:
        """Release connections."""
        self.registry.close()
        self.engine.dispose()


def open_store(config: KioskConfig) -> Store:
    """Open (and migrate) the database of ``config`` and load or create the campus key."""
    engine = open_engine(config.database_url)
    migrate(engine)
    key = load_or_create_key(config.secret_path(config.settings.paths.id_hmac_key_file))
    gate = config.settings.gate.id
    log.debug("store open at %s", engine.url.render_as_string(hide_password=True))
    return Store(
        engine=engine,
        id_key=key,
        registry=SqlRegistry(engine),
        writer=RegistryWriter(engine),
        log=DecisionLog(engine, gate=gate),
        outbox=Outbox(engine),
        gate=gate,
        tz=zoneinfo.ZoneInfo(config.settings.gate.time_zone),
    )
