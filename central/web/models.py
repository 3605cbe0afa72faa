"""Tables of the web pages: staff accounts, their sessions, what a visitor adds to a filing.

They live in the central server's database beside its own tables (same metadata, migrations
named ``web_…`` in ``central/migrations``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from central.models import Base, DecisionRow
from kiosk.store.columns import UtcDateTime


class StaffRow(Base):
    """A member of staff who logs in to approve visits or read the logs.

    ``role``: ``host`` (approves for ``unit``), ``office`` (the epidemic-control office's final
    approval) or ``admin`` (dashboard). The password is stored only as its Argon2id hash.
    """

    __tablename__ = "web_staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200), default="")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class SessionRow(Base):
    """A logged-in browser: the SHA-256 of its cookie token and its CSRF token."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("web_staff.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class FilingExtraRow(Base):
    """What the visitor's form adds to a filing: phone, reason, and the hash of the secret that
    opens its status page. The phone number is erased with the filing's personal data."""

    __tablename__ = "web_filing_extras"
    approval_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_hash: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")


class FilingNoteRow(Base):
    """A comment an approver left with their step (approve or refuse)."""

    __tablename__ = "web_filing_notes"
    __table_args__ = (Index("ix_web_filing_notes_approval_no", "approval_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    approval_no: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    comment: Mapped[str] = mapped_column(Text)


# Keyset paging of the cross-gate log (central/web/search.py): newest first, optionally one
# gate or one outcome; declared here so the server's tables and the migrations agree.
Index("ix_web_decisions_at_id", DecisionRow.at, DecisionRow.id)
Index("ix_web_decisions_gate_at_id", DecisionRow.gate, DecisionRow.at, DecisionRow.id)
Index("ix_web_decisions_outcome_at_id", DecisionRow.outcome, DecisionRow.at, DecisionRow.id)
