"""Per-dataset freshness (rule R15): one row per registry dataset with the time the gate last
synced it and the time the server says its source last delivered it.

The single ``registry_synced_at`` of the meta table becomes every dataset's ``synced_at`` (with
no source time), so an upgraded gate is exactly as current as before; downgrading keeps the
oldest dataset's time as the one registry time.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATASETS = (
    "people",
    "visit_approvals",
    "stay_approvals",
    "leave_approvals",
    "quarantines",
    "risk_areas",
    "checkins",
    "revocations",
    "trust_keys",
    "vehicles",
)
"""The datasets as of this revision (kiosk.core.datasets may grow later; this must not)."""
META_SYNCED_AT = "registry_synced_at"


def upgrade() -> None:
    times = op.create_table(
        "dataset_times",
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=False),
        sa.Column("source_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("dataset", name=op.f("pk_dataset_times")),
    )
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    conn = op.get_bind()
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == META_SYNCED_AT)).scalar()
    if value:
        synced = _naive_utc(value)
        op.bulk_insert(
            times, [{"dataset": d, "synced_at": synced, "source_at": None} for d in DATASETS]
        )
    conn.execute(sa.delete(meta).where(meta.c.key == META_SYNCED_AT))


def downgrade() -> None:
    conn = op.get_bind()
    oldest = conn.execute(sa.text("select min(synced_at), count(*) from dataset_times")).one()
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    if oldest[1] == len(DATASETS) and oldest[0] is not None:
        at = oldest[0]
        text = at if isinstance(at, str) else at.isoformat()
        conn.execute(meta.insert().values(key=META_SYNCED_AT, value=_aware_text(text)))
    op.drop_table("dataset_times")


def _naive_utc(value: str) -> dt.datetime:
    """The meta's ISO time (with offset) as the naive UTC datetime the column stores."""
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _aware_text(text: str) -> str:
    """A stored naive UTC time as the meta's ISO text with offset."""
    parsed = dt.datetime.fromisoformat(text.replace(" ", "T"))
    return parsed.replace(tzinfo=dt.UTC).isoformat()
