"""The body of an Alembic ``env.py``, shared by the kiosk's and the central server's migrations.

Migrations run on a connection handed in through ``config.attributes["connection"]`` (the
store's and the server's own start-up); for development commands (``alembic -c
…/alembic.ini revision --autogenerate``) the URL comes from ``-x url=…``.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, MetaData

from kiosk.store.columns import UtcDateTime
from kiosk.store.db import open_engine


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write UtcDateTime columns as plain ``sa.DateTime()`` so revisions need no app imports."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime()"
    return False


def _run(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(metadata: MetaData, example_db: str) -> None:
    """Migrate the handed-in connection, or one opened from ``-x url=…`` (``example_db``
    names the database file in the error when neither is given)."""
    if context.is_offline_mode():
        raise SystemExit("offline (SQL script) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, metadata)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit(f"give the database with -x url=sqlite:///path/to/{example_db}")
    engine = open_engine(url)
    with engine.begin() as conn:
        _run(conn, metadata)
    engine.dispose()
