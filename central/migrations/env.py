"""Alembic environment: migrations run on a connection handed in by ``central.db.open_database``
(see :mod:`kiosk.store.migration_env`; ``-x url=sqlite:///var/central-dev.db`` for development)."""

from central.models import Base
from kiosk.store.migration_env import run_migrations

run_migrations(Base.metadata, "central.db")
