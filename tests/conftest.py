"""Shared test set-up: Qt offscreen with the kiosk's own PySide options, one throw-away
PostgreSQL cluster for the session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresCluster, PostgresMissing

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import kiosk.ui  # noqa: E402, F401, I001 - before pytest-qt loads PySide6: it sets PySide's options


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throw-away cluster for the session (fails, never skips, without PostgreSQL)."""
    try:
        cluster = PostgresCluster()
    except PostgresMissing as exc:
        pytest.fail(str(exc))
    try:
        yield cluster.start()
    finally:
        cluster.stop()
