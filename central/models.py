"""The central server's tables (SQLAlchemy 2 ORM; Alembic revisions in ``central/migrations``).

Registry records are stored generically, one row per (kind, natural key) with the record as
feed JSON, so a kind added to ``kiosk.store.records.ALL_KINDS`` flows without a new table.
A deleted record stays as a tombstone (``body`` null) so the feed can send the deletion.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kiosk.store.columns import UtcDateTime


class Base(DeclarativeBase):
    """Declarative base of the central server's tables."""


class MetaRow(Base):
    """Small settings: ``epoch`` (this database's identity in feed cursors), ``feed_seq``
    (the last change number), ``feed_floor`` (changes at or below it were compacted)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GateRow(Base):
    """An enrolled gate, its token (hashed) and what the server knows of its state."""

    __tablename__ = "gates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_contact_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    registry_version: Mapped[str | None] = mapped_column(String(200))
    backlog: Mapped[int | None] = mapped_column(Integer)
    chain_status: Mapped[str] = mapped_column(String(16), default="empty")
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    contiguous_to: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str | None] = mapped_column(String(64))


class AdminTokenRow(Base):
    """An admin's API token (hashed)."""

    __tablename__ = "admin_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class RecordRow(Base):
    """The newest state of one registry record; ``body`` null is a deletion (tombstone)."""

    __tablename__ = "registry_records"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(400), primary_key=True)
    body: Mapped[str | None] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DecisionRow(Base):
    """One record of a gate's log as the gate sent it, with the server's receive time."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("gate_id", "seq", name="uq_decisions_gate_seq"),
        Index("ix_decisions_at", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    gate_id: Mapped[int] = mapped_column(ForeignKey("gates.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    record_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    gate: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    person_no: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ChainBreakRow(Base):
    """A record refused because it breaks or forks its gate's chain (kept for the admin)."""

    __tablename__ = "chain_breaks"
    __table_args__ = (UniqueConstraint("gate_id", "record_id", "reason", name="uq_breaks"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gate_id: Mapped[int] = mapped_column(ForeignKey("gates.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    record_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    record: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class VisitFilingRow(Base):
    """A visit filed on the server: full name and ID number, seen only by the approvers."""

    __tablename__ = "visit_filings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    approval_no: Mapped[str] = mapped_column(String(64), unique=True)
    visitor_name: Mapped[str | None] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(String(32))
    id_hmac: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(64))
    name_masked: Mapped[str] = mapped_column(String(100))
    origin_region: Mapped[str] = mapped_column(String(12))
    host_unit: Mapped[str] = mapped_column(String(200))
    host_person_no: Mapped[str] = mapped_column(String(32))
    visit_date: Mapped[dt.date]
    gates: Mapped[str] = mapped_column(String(400), default="")
    plate: Mapped[str | None] = mapped_column(String(16))
    filed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    filed_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    host_approved_by: Mapped[str | None] = mapped_column(String(64))
    host_approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    office_approved_by: Mapped[str | None] = mapped_column(String(64))
    office_approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    refused_reason: Mapped[str | None] = mapped_column(Text)


class HealthCodeRow(Base):
    """A code the reference verification backend knows (SHA-256 of the code, never the code)."""

    __tablename__ = "health_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    color: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AuditRow(Base):
    """Every admin action, log read and export (design §6)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)


def table(model: type[Base]) -> Table:
    """The Core table of a model (for Core statements)."""
    return cast(Table, model.__table__)
