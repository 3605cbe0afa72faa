"""Web pages: staff accounts and sessions, filing extras and approvers' notes, the plate of a
filed visit, and the indexes the dashboard's log search pages with.

Revision ID: web_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "web_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_staff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["web_staff.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_web_sessions_staff_id", "web_sessions", ["staff_id"])
    op.create_table(
        "web_filing_extras",
        sa.Column("approval_no", sa.String(length=64), nullable=False),
        sa.Column("access_hash", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("approval_no"),
    )
    op.create_table(
        "web_filing_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("approval_no", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_filing_notes_approval_no", "web_filing_notes", ["approval_no"])
    with op.batch_alter_table("visit_filings") as batch:
        batch.add_column(sa.Column("plate", sa.String(length=16), nullable=True))
    # Keyset paging of the cross-gate log: newest first, optionally one gate or one outcome.
    op.create_index("ix_web_decisions_at_id", "decisions", ["at", "id"])
    op.create_index("ix_web_decisions_gate_at_id", "decisions", ["gate", "at", "id"])
    op.create_index("ix_web_decisions_outcome_at_id", "decisions", ["outcome", "at", "id"])
    # The visit approval number inside the payload (search by approval number); the same
    # expression as central.web.search.approval_expression.
    if op.get_bind().dialect.name == "postgresql":
        expression = "((payload::jsonb -> 'subject') ->> 'approval_no')"
    else:
        expression = "json_extract(payload, '$.subject.approval_no')"
    op.execute(f"CREATE INDEX ix_web_decisions_approval_no ON decisions ({expression})")


def downgrade() -> None:
    op.execute("DROP INDEX ix_web_decisions_approval_no")
    op.drop_index("ix_web_decisions_outcome_at_id", table_name="decisions")
    op.drop_index("ix_web_decisions_gate_at_id", table_name="decisions")
    op.drop_index("ix_web_decisions_at_id", table_name="decisions")
    op.drop_index("ix_web_filing_notes_approval_no", table_name="web_filing_notes")
    op.drop_table("web_filing_notes")
    op.drop_table("web_filing_extras")
    op.drop_index("ix_web_sessions_staff_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_staff")
    with op.batch_alter_table("visit_filings") as batch:
        batch.drop_column("plate")
