"""Fixtures for the store: a freshly migrated SQLite file per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kiosk.store.db import migrate, open_engine
from kiosk.store.log import DecisionLog

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=CST)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "kiosk.db"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{db_path}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def decision_log(engine: Engine) -> DecisionLog:
    return DecisionLog(engine, gate="north")
