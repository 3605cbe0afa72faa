"""The engine's answer: outcome, reasons, warnings, who it is about and what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kiosk.core.datasets import StaleDataset
from kiosk.core.reasons import Reason

Outcome = Literal["admit", "reject", "pending"]
Need = Literal["credential", "health_code", "temperature", "retest", "escort", "guard"]


@dataclass(frozen=True)
class Subject:
    """Who a decision is about, in the masked forms the log may keep (design §6)."""

    kind: Literal["member", "visitor", "vehicle", "unknown"]
    person_no: str | None = None
    role: str | None = None
    name_masked: str | None = None
    id_masked: str | None = None
    id_hmac: str | None = None
    approval_no: str | None = None
    host_person_no: str | None = None
    host_unit: str | None = None
    plate: str | None = None
    """A vehicle's normalised plate (vehicle lane, R16)."""


@dataclass(frozen=True)
class Verdict:
    """Result of :func:`kiosk.core.policy.decide`."""

    outcome: Outcome
    reasons: tuple[Reason, ...] = ()
    warnings: tuple[Reason, ...] = ()
    needs: tuple[Need, ...] = ()
    subject: Subject = field(default_factory=lambda: Subject(kind="unknown"))
    close_leave_id: str | None = None
    confirmable: tuple[Reason, ...] = ()
    """What a guard's confirmation would resolve (``guard`` waits: R15, an online check that
    got no answer); empty unless pending."""
    policy_version: str = ""
    registry_version: str = ""
    stale: tuple[StaleDataset, ...] = ()
    """R15: the datasets too old for this decision (why the guard must confirm)."""

    @property
    def final(self) -> bool:
        """True for admit and reject."""
        return self.outcome != "pending"
