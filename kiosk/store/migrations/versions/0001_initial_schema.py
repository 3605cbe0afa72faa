"""Initial schema: registry snapshot, trust keys, meta, decision log and outbox.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("person_no", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("person_no", "date", name=op.f("pk_checkins")),
    )
    op.create_table(
        "leave_approvals",
        sa.Column("leave_id", sa.String(length=32), nullable=False),
        sa.Column("person_no", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("destination_region", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("leave_id", name=op.f("pk_leave_approvals")),
    )
    op.create_index(
        op.f("ix_leave_approvals_person_no"), "leave_approvals", ["person_no"], unique=False
    )

    op.create_table(
        "log_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("gate", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("person_no", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_log_events")),
        sa.UniqueConstraint("record_id", name=op.f("uq_log_events_record_id")),
    )
    op.create_index(op.f("ix_log_events_at"), "log_events", ["at"], unique=False)
    op.create_index(op.f("ix_log_events_person_no"), "log_events", ["person_no"], unique=False)

    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "people",
        sa.Column("person_no", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name_masked", sa.String(length=200), nullable=False),
        sa.Column("id_hmac", sa.String(length=64), nullable=True),
        sa.Column("id_masked", sa.String(length=32), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_no", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_id_hmac"), "people", ["id_hmac"], unique=False)

    op.create_table(
        "quarantines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_hmac", sa.String(length=64), nullable=True),
        sa.Column("person_no", sa.String(length=32), nullable=True),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantines")),
    )
    op.create_index(op.f("ix_quarantines_id_hmac"), "quarantines", ["id_hmac"], unique=False)
    op.create_index(op.f("ix_quarantines_person_no"), "quarantines", ["person_no"], unique=False)

    op.create_table(
        "revocations",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("person_no", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("kind", "person_no", name=op.f("pk_revocations")),
    )
    op.create_table(
        "risk_areas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_areas")),
    )
    op.create_index(op.f("ix_risk_areas_region_code"), "risk_areas", ["region_code"], unique=False)

    op.create_table(
        "stay_approvals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_no", sa.String(length=32), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stay_approvals")),
    )
    op.create_index(
        op.f("ix_stay_approvals_person_no"), "stay_approvals", ["person_no"], unique=False
    )

    op.create_table(
        "trust_keys",
        sa.Column("kid", sa.LargeBinary(length=8), nullable=False),
        sa.Column("alg", sa.String(length=8), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("not_after", sa.DateTime(), nullable=True),
        sa.Column("prefixes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_trust_keys")),
    )
    op.create_table(
        "visit_approvals",
        sa.Column("approval_no", sa.String(length=32), nullable=False),
        sa.Column("name_masked", sa.String(length=200), nullable=False),
        sa.Column("id_hmac", sa.String(length=64), nullable=False),
        sa.Column("id_masked", sa.String(length=32), nullable=True),
        sa.Column("origin_region", sa.String(length=12), nullable=False),
        sa.Column("host_unit", sa.String(length=200), nullable=False),
        sa.Column("host_person_no", sa.String(length=32), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("gates", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("approval_no", name=op.f("pk_visit_approvals")),
    )
    op.create_index(
        op.f("ix_visit_approvals_id_hmac"), "visit_approvals", ["id_hmac"], unique=False
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["seq"], ["log_events.seq"], name=op.f("fk_outbox_seq_log_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("seq", name=op.f("uq_outbox_seq")),
    )
    op.create_index(
        "ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_status_next_attempt_at", table_name="outbox")

    op.drop_table("outbox")
    op.drop_index(op.f("ix_visit_approvals_id_hmac"), table_name="visit_approvals")

    op.drop_table("visit_approvals")
    op.drop_table("trust_keys")
    op.drop_index(op.f("ix_stay_approvals_person_no"), table_name="stay_approvals")

    op.drop_table("stay_approvals")
    op.drop_index(op.f("ix_risk_areas_region_code"), table_name="risk_areas")

    op.drop_table("risk_areas")
    op.drop_table("revocations")
    op.drop_index(op.f("ix_quarantines_person_no"), table_name="quarantines")
    op.drop_index(op.f("ix_quarantines_id_hmac"), table_name="quarantines")

    op.drop_table("quarantines")
    op.drop_index(op.f("ix_people_id_hmac"), table_name="people")

    op.drop_table("people")
    op.drop_table("meta")
    op.drop_index(op.f("ix_log_events_person_no"), table_name="log_events")
    op.drop_index(op.f("ix_log_events_at"), table_name="log_events")

    op.drop_table("log_events")
    op.drop_index(op.f("ix_leave_approvals_person_no"), table_name="leave_approvals")

    op.drop_table("leave_approvals")
    op.drop_table("checkins")
