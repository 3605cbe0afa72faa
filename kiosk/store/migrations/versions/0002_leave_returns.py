"""Local leave returns (销假 seen at this gate), kept apart from the synced leave approvals.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leave_returns",
        sa.Column("leave_id", sa.String(length=32), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("leave_id", name=op.f("pk_leave_returns")),
    )


def downgrade() -> None:
    op.drop_table("leave_returns")
