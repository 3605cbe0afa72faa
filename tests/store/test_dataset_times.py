"""Per-dataset freshness in the store (R15): sync and source times, atomic with the data, and
migration 0006 carrying the one registry sync time over to every dataset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from kiosk.core.datasets import DATASETS
from kiosk.core.registry import Person, StayApproval
from kiosk.store.changes import ChangeSet
from kiosk.store.db import MIGRATIONS, open_engine
from kiosk.store.registry import RegistryWriter, SqlRegistry, registry_status
from tests.store.conftest import NOW

H = dt.timedelta(hours=1)
UTC = dt.UTC


@pytest.fixture
def registry(engine: Engine) -> Iterator[SqlRegistry]:
    reader = SqlRegistry(engine)
    yield reader
    reader.close()


def test_a_fresh_store_knows_no_dataset(registry: SqlRegistry) -> None:
    assert registry.synced_at is None
    assert all(registry.data_as_of.of(name) is None for name in DATASETS)
    assert [s.dataset for s in registry.dataset_syncs()] == list(DATASETS)


def test_a_sync_makes_every_dataset_current_but_a_source_time_caps_it(engine, registry) -> None:
    yesterday = NOW - 20 * H
    RegistryWriter(engine).apply(
        ChangeSet(), "v1", synced_at=NOW, sources={"checkins": yesterday, "people": NOW - H}
    )
    times = registry.data_as_of
    assert times.of("checkins") == yesterday
    assert times.of("people") == NOW - H
    assert times.of("quarantines") == NOW, "no source time: current as of the answer"
    assert registry.synced_at == NOW
    syncs = {s.dataset: s for s in registry_status(engine).datasets}
    assert (syncs["checkins"].synced_at, syncs["checkins"].source_at) == (NOW, yesterday)
    assert syncs["vehicles"].source_at is None

    # The next answer without a source time for check-ins forgets the old one.
    RegistryWriter(engine).apply(ChangeSet(), "v2", synced_at=NOW + H, sources={})
    assert registry.data_as_of.of("checkins") == NOW + H


def test_an_import_or_an_unfinished_page_moves_no_time(engine, registry) -> None:
    w = RegistryWriter(engine)
    w.apply(ChangeSet(), "v1", synced_at=NOW)
    w.apply(ChangeSet(upsert={"people": [Person("S1", "student", "王*", None, None)]}), None)
    w.apply(ChangeSet(), "v2")
    assert registry.data_as_of.of("people") == NOW


def test_times_move_only_when_the_page_commits(engine, registry) -> None:
    w = RegistryWriter(engine)
    w.apply(ChangeSet(), "v1", synced_at=NOW)
    bad_stay = StayApproval("S1", dt.date(2022, 1, 15), None, "approved")  # type: ignore[arg-type]
    with pytest.raises(Exception, match="NOT NULL"):
        w.apply(
            ChangeSet(upsert={"stay_approvals": [bad_stay]}),
            "v2",
            synced_at=NOW + H,
            sources={"checkins": NOW + H},
        )
    assert registry.data_as_of.of("checkins") == NOW
    assert registry.version == "v1"


@pytest.mark.parametrize(
    ("sources", "synced_at", "message"),
    [
        ({"chekins": NOW}, NOW, "unknown dataset 'chekins'"),
        ({"checkins": dt.datetime(2022, 1, 20)}, NOW, "naive"),
        ({"checkins": NOW}, None, "only with a sync time"),
    ],
)
def test_bad_source_times_are_refused_before_writing(
    engine, registry, sources, synced_at, message
) -> None:
    with pytest.raises(ValueError, match=message):
        RegistryWriter(engine).apply(ChangeSet(), "v9", synced_at=synced_at, sources=sources)
    assert registry.version == "" and registry.synced_at is None


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


def test_migration_0006_gives_every_dataset_the_old_sync_time(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'kiosk.db'}")
    try:
        _alembic(engine, "upgrade", "0005")
        synced = dt.datetime(2022, 1, 20, 1, 0, tzinfo=UTC)
        with engine.begin() as conn:
            conn.execute(
                text("insert into meta (key, value) values ('registry_synced_at', :v)"),
                {"v": synced.isoformat()},
            )
        _alembic(engine, "upgrade", "head")
        reader = SqlRegistry(engine)
        assert reader.synced_at == synced
        assert all(reader.data_as_of.of(name) == synced for name in DATASETS)
        reader.close()
        with engine.connect() as conn:
            left = conn.execute(text("select count(*) from meta where key='registry_synced_at'"))
            assert left.scalar() == 0, "one home for the time"

        _alembic(engine, "downgrade", "0005")
        with engine.connect() as conn:
            value = conn.execute(
                text("select value from meta where key='registry_synced_at'")
            ).scalar()
        assert value is not None and dt.datetime.fromisoformat(value) == synced
    finally:
        engine.dispose()


def test_migration_0006_on_a_never_synced_store_leaves_every_dataset_unknown(
    tmp_path: Path,
) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'kiosk.db'}")
    try:
        _alembic(engine, "upgrade", "0005")
        _alembic(engine, "upgrade", "head")
        reader = SqlRegistry(engine)
        assert reader.synced_at is None and reader.data_as_of.oldest() == ("people", None)
        reader.close()
    finally:
        engine.dispose()


def test_the_datasets_are_the_registry_kinds() -> None:
    from kiosk.store.records import ALL_KINDS
    from kiosk.store.wire import KINDS

    assert DATASETS == tuple(kind.name for kind in ALL_KINDS) == tuple(KINDS)
