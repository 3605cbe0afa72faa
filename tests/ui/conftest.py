"""Fixtures of the admin screen's tests: a kiosk configuration in a temporary directory, its
store (real SQLite file), the languages, and a 100 k record log built once per session."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.store import Store, open_store
from kiosk.ui.admin.sample_log import fill_log
from kiosk.ui.i18n import Languages

BIG_LOG_RECORDS = 100_000
LAST_DAY = dt.date(2022, 1, 10)


def make_config(directory: Path, extra: str = "") -> KioskConfig:
    """A kiosk.toml whose data directory is ``directory/data``."""
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / "kiosk.toml"
    file.write_text('[paths]\ndata_dir = "data"\n\n[admin]\nmax_attempts = 3\n' + extra)
    return load_kiosk_config(file)


@pytest.fixture
def admin_config(tmp_path: Path) -> KioskConfig:
    return make_config(tmp_path / "kiosk")


@pytest.fixture
def admin_store(admin_config: KioskConfig) -> Iterator[Store]:
    store = open_store(admin_config)
    yield store
    store.close()


@pytest.fixture
def languages(qapp: object) -> Iterator[Languages]:
    langs = Languages("zh_CN")
    yield langs
    langs.switch("en")  # leave no translator installed for the next test


@pytest.fixture(scope="session")
def big_log_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding a chained log of 100 k records over 7 days."""
    config = make_config(tmp_path_factory.mktemp("big-log"))
    store = open_store(config)
    fill_log(store.engine, BIG_LOG_RECORDS, last_day=LAST_DAY, tz=store.tz)
    with store.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    store.close()
    return config.data_dir / "kiosk.db"


@pytest.fixture
def big_store(big_log_db: Path, admin_config: KioskConfig) -> Iterator[Store]:
    """A store of this test's own opened over a copy of the 100 k record log."""
    admin_config.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(big_log_db, admin_config.data_dir / "kiosk.db")
    store = open_store(admin_config)
    yield store
    store.close()
