from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError

from kiosk.store.columns import NaiveDatetimeError
from kiosk.store.db import migrate, open_engine
from kiosk.store.models import Base, MetaRow
from kiosk.store.records import RISK_AREAS, table_of


def test_fresh_file_is_migrated_quickly_with_every_table(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'kiosk.db'}")
    migrate(engine)  # warm up imports
    engine2 = open_engine(f"sqlite:///{tmp_path / 'second.db'}")
    started = time.perf_counter()
    migrate(engine2)
    assert time.perf_counter() - started < 0.5
    tables = set(inspect(engine2).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    engine.dispose()
    engine2.dispose()


# SQLAlchemy does not reflect SQLite's expression indexes (the admin browser's, migration 0005)
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrated_schema_matches_the_models(engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_twice_is_harmless(engine) -> None:
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select version_num from alembic_version").scalar() == "0006"


def test_sqlite_is_durable_wal_with_foreign_keys(engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("pragma foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("pragma busy_timeout").scalar() >= 1000


def test_times_are_stored_in_utc_and_come_back_aware(engine) -> None:
    t = RISK_AREAS.table
    local = dt.datetime(2022, 1, 20, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with engine.begin() as conn:
        conn.execute(t.insert().values(region_code="410102", level="high", start=local))
        raw = conn.exec_driver_sql("select start from risk_areas").scalar()
        back = conn.execute(select(t.c.start)).scalar_one()
    assert raw.startswith("2022-01-20 01:30:15.123456")
    assert back == local and back.tzinfo == dt.UTC


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2022, 1, 20, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(2022, 1, 20, 0, 0, tzinfo=dt.UTC),  # no microseconds: still six digits
        dt.datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=dt.UTC),
    ],
)
def test_times_are_stored_as_sqlalchemy_stores_sqlite_datetimes(engine, at: dt.datetime) -> None:
    t = RISK_AREAS.table
    with engine.begin() as conn:
        conn.execute(t.insert(), [{"region_code": "410102", "level": "high", "start": at}])
        raw = conn.exec_driver_sql("select start from risk_areas").scalar()
        back = conn.execute(select(t.c.start)).scalar_one()
    as_sqlalchemy = sqlite.DATETIME().bind_processor(engine.dialect)
    assert as_sqlalchemy is not None
    assert raw == as_sqlalchemy(at.astimezone(dt.UTC).replace(tzinfo=None))
    assert back == at


def test_naive_datetimes_are_refused(engine) -> None:
    with pytest.raises(StatementError) as info, engine.begin() as conn:
        conn.execute(
            RISK_AREAS.table.insert().values(
                region_code="410102", level="high", start=dt.datetime(2022, 1, 20, 9)
            )
        )
    assert isinstance(info.value.orig, NaiveDatetimeError)
    with engine.connect() as conn:
        assert conn.execute(select(table_of(MetaRow))).all() == []
