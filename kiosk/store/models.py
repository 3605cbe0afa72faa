"""Tables of the kiosk database: registry snapshot, trust keys, meta, decision log, outbox.

Identity numbers and scanned QR strings are never stored (design §6): people and approvals
carry the keyed HMAC of the ID number (``id_hmac``) and masked forms for display.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kiosk.store.columns import UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

HMAC = String(64)
CODE = String(32)
LABEL = String(200)
PLATE = String(16)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PersonRow(Base):
    __tablename__ = "people"

    person_no: Mapped[str] = mapped_column(CODE, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    name_masked: Mapped[str] = mapped_column(LABEL)
    id_hmac: Mapped[str | None] = mapped_column(HMAC, index=True)
    id_masked: Mapped[str | None] = mapped_column(CODE)
    unit: Mapped[str] = mapped_column(LABEL, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class VisitApprovalRow(Base):
    __tablename__ = "visit_approvals"

    approval_no: Mapped[str] = mapped_column(CODE, primary_key=True)
    name_masked: Mapped[str] = mapped_column(LABEL)
    id_hmac: Mapped[str] = mapped_column(HMAC, index=True)
    id_masked: Mapped[str | None] = mapped_column(CODE)
    origin_region: Mapped[str] = mapped_column(String(12))
    host_unit: Mapped[str] = mapped_column(LABEL)
    host_person_no: Mapped[str] = mapped_column(CODE)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    gates: Mapped[str] = mapped_column(Text, default="")  # space-separated; empty: every gate
    filed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    plate: Mapped[str | None] = mapped_column(PLATE, index=True)


class StayApprovalRow(Base):
    __tablename__ = "stay_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_no: Mapped[str] = mapped_column(CODE, index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))


class LeaveApprovalRow(Base):
    __tablename__ = "leave_approvals"

    leave_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    person_no: Mapped[str] = mapped_column(CODE, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    until: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    destination_region: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16))
    returned_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class QuarantineRow(Base):
    __tablename__ = "quarantines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id_hmac: Mapped[str | None] = mapped_column(HMAC, index=True)
    person_no: Mapped[str | None] = mapped_column(CODE, index=True)
    start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class RiskAreaRow(Base):
    __tablename__ = "risk_areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    level: Mapped[str] = mapped_column(String(8))
    start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class CheckinRow(Base):
    __tablename__ = "checkins"

    person_no: Mapped[str] = mapped_column(CODE, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))


class RevocationRow(Base):
    __tablename__ = "revocations"

    kind: Mapped[str] = mapped_column(CODE, primary_key=True)
    person_no: Mapped[str] = mapped_column(CODE, primary_key=True)


class TrustKeyRow(Base):
    __tablename__ = "trust_keys"

    kid: Mapped[bytes] = mapped_column(LargeBinary(8), primary_key=True)
    alg: Mapped[str] = mapped_column(String(8))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # SubjectPublicKeyInfo, DER
    issuer: Mapped[str] = mapped_column(LABEL)
    not_before: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    not_after: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    prefixes: Mapped[str] = mapped_column(Text, default="")  # space-separated, e.g. "HK1 CP1"


class VehicleRow(Base):
    """A vehicle on the campus vehicle list (R16)."""

    __tablename__ = "vehicles"

    plate: Mapped[str] = mapped_column(PLATE, primary_key=True)
    unit: Mapped[str] = mapped_column(LABEL, default="")
    person_no: Mapped[str | None] = mapped_column(CODE)
    until: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LogEventRow(Base):
    """One record of the hash-chained decision log (see ``docs/store.md``)."""

    __tablename__ = "log_events"
    __table_args__ = (
        Index("ix_log_events_outcome_at", "outcome", "at"),
        # the admin browser's filters on payload fields (migration 0005; SQLite only)
        *(
            Index(name, text(f"json_extract(payload, '{path}')")).ddl_if(dialect="sqlite")
            for name, path in (
                ("ix_log_events_direction", "$.direction"),
                ("ix_log_events_role", "$.subject.role"),
                ("ix_log_events_approval_no", "$.subject.approval_no"),
            )
        ),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    gate: Mapped[str] = mapped_column(CODE)
    outcome: Mapped[str | None] = mapped_column(String(16))
    person_no: Mapped[str | None] = mapped_column(CODE, index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    """A log record waiting to reach (or acknowledged by) the central server."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(ForeignKey("log_events.seq"), unique=True)
    record_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # see outbox.STATUSES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


REGISTRY_TABLES = (
    PersonRow,
    VisitApprovalRow,
    StayApprovalRow,
    LeaveApprovalRow,
    QuarantineRow,
    RiskAreaRow,
    CheckinRow,
    RevocationRow,
    TrustKeyRow,
    VehicleRow,
)


class LeaveReturnRow(Base):
    """A local fact: this gate saw the student come back from a leave (销假).

    Kept apart from the synced ``leave_approvals`` so a re-sync never re-opens a closed leave;
    ``record_id`` names the log record of the admitting decision.
    """

    __tablename__ = "leave_returns"

    leave_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    returned_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    record_id: Mapped[str] = mapped_column(String(36))


class DatasetTimeRow(Base):
    """How current the gate's copy of one registry dataset is (rule R15, ``docs/sync.md``).

    ``synced_at``: the server time of the last answer that brought the dataset to the feed's
    head (or an admin's ``mark-synced``); ``source_at``: when the server said the dataset last
    came from its source (``None``: it did not say).
    """

    __tablename__ = "dataset_times"

    dataset: Mapped[str] = mapped_column(String(40), primary_key=True)
    synced_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
