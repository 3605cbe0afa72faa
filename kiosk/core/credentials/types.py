"""Decoded, verified credentials and the error raised for anything else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from kiosk.core.reasons import Reason

Color = Literal["green", "yellow", "red"]
Algorithm = Literal["EdDSA", "ES256"]


class CredentialError(Exception):
    """A scanned string is not an acceptable credential; ``reason`` says why."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


@dataclass(frozen=True)
class Envelope:
    """What every signed credential carries besides its claims."""

    prefix: str  # "HK1" | "CP1" | "VA1"
    kid: bytes
    alg: Algorithm
    iss: str
    iat: dt.datetime
    exp: dt.datetime


@dataclass(frozen=True)
class NatResult:
    result: Literal["negative", "positive"]
    sampled_at: dt.datetime


@dataclass(frozen=True)
class HealthCode:
    """``HK1``: the provincial health code in its offline form."""

    envelope: Envelope
    name: str = field(repr=False)
    id_number: str = field(repr=False)
    color: Color
    nat: NatResult | None = None
    visited_regions: tuple[str, ...] = ()
    vaccine_doses: int = 0


@dataclass(frozen=True)
class CampusPass:
    """``CP1``: the school's dynamic pass (about 60 s validity)."""

    envelope: Envelope
    person_no: str
    role: str
    color: Color = "green"
    checked_in: bool = True
    nonce: bytes = field(default=b"")  # unique per issued pass; replay detection keys on it


@dataclass(frozen=True)
class VisitSlip:
    """``VA1``: a visit approval slip; the approval itself lives in the registry."""

    envelope: Envelope
    approval_no: str


Credential = HealthCode | CampusPass | VisitSlip
