"""Indexes for the admin screen's log browser: decision and time, and (SQLite) the payload
fields it filters, sorts and searches by (direction, role, approval number).

The expression indexes are the very ``json_extract`` calls of ``kiosk/ui/admin/query.py``, so
SQLite uses them for those queries. On PostgreSQL only the column index is made.

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_INDEXES = {
    "ix_log_events_direction": "$.direction",
    "ix_log_events_role": "$.subject.role",
    "ix_log_events_approval_no": "$.subject.approval_no",
}


def upgrade() -> None:
    op.create_index("ix_log_events_outcome_at", "log_events", ["outcome", "at"])
    if op.get_bind().dialect.name == "sqlite":
        for name, path in JSON_INDEXES.items():
            op.create_index(
                name, "log_events", [sa.text(f"json_extract(payload, '{path}')")]
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in JSON_INDEXES:
            op.drop_index(name, table_name="log_events")
    op.drop_index("ix_log_events_outcome_at", table_name="log_events")
