"""Alembic environment: migrations run on a connection handed in by ``kiosk.store.db.migrate``
(see :mod:`kiosk.store.migration_env`; ``-x url=sqlite:///var/kiosk.db`` for development)."""

from kiosk.store.migration_env import run_migrations
from kiosk.store.models import Base

run_migrations(Base.metadata, "kiosk.db")
