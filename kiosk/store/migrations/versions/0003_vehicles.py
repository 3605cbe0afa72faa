"""The campus vehicle list and the plate of a visit approval (R16, the vehicle lane).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vehicles",
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("person_no", sa.String(length=32), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("plate", name=op.f("pk_vehicles")),
    )
    with op.batch_alter_table("visit_approvals") as batch:
        batch.add_column(sa.Column("plate", sa.String(length=16), nullable=True))
        batch.create_index(op.f("ix_visit_approvals_plate"), ["plate"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit_approvals") as batch:
        batch.drop_index(op.f("ix_visit_approvals_plate"))
        batch.drop_column("plate")
    op.drop_table("vehicles")
