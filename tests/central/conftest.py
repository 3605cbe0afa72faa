"""Fixtures for the central server's tests: each runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central import admin
from central.context import Central, open_central
from tests.support.central_server import CentralServer
from tests.support.postgres import PostgresCluster


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str | None:
    """None (SQLite in the data directory) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database()


@pytest.fixture
def central_server(tmp_path: Path, db_url: str | None) -> Iterator[CentralServer]:
    """A running server process on a free loopback port."""
    server = CentralServer(tmp_path / "central", db_url=db_url, tz="Asia/Shanghai")
    try:
        yield server.start()
    finally:
        server.close()


@pytest.fixture
def central(tmp_path: Path, db_url: str | None) -> Iterator[Central]:
    """The server's database and secrets opened in the test process (no HTTP)."""
    opened = open_central(tmp_path / "central", db_url)
    admin.ensure_issuer(opened)
    try:
        yield opened
    finally:
        opened.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CentralServer]:
    """One running server per test module and database (tests enrol gates of their own names):
    starting a server process costs seconds on a loaded machine."""
    db = None
    if request.param == "postgresql":
        db = request.getfixturevalue("postgres_cluster").new_database()
    data = tmp_path_factory.mktemp("shared") / "central"
    server = CentralServer(data, db_url=db, tz="Asia/Shanghai")
    try:
        yield server.start()
    finally:
        server.close()
