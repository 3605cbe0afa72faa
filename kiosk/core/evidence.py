"""What the policy engine decides on: the gate context and the evidence gathered so far."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from kiosk.core.credentials.types import CampusPass, HealthCode, VisitSlip
from kiosk.core.datasets import DatasetTimes
from kiosk.core.identity import CardIdentity
from kiosk.core.reasons import Reason

Direction = Literal["in", "out"]
OnlineColor = Literal["green", "yellow", "red", "unverified", "unreachable", "invalid", "checking"]
"""The online check's answer for a URL health code.

``unverified``: the server answered that it cannot vouch for the code; ``unreachable``: no
answer (no server, not reached, too slow, busy); ``invalid``: an answer the gate cannot use;
``checking``: asked, not answered yet.
"""


@dataclass(frozen=True)
class GateContext:
    """Where and when the decision is made."""

    gate: str
    direction: Direction
    now: dt.datetime
    tz: ZoneInfo
    city_prefix: str
    clock_trusted: bool = True

    @property
    def today(self) -> dt.date:
        """The campus-local date of ``now``."""
        return self.now.astimezone(self.tz).date()

    def local_date(self, when: dt.datetime) -> dt.date:
        """The campus-local date of ``when``."""
        return when.astimezone(self.tz).date()


@dataclass(frozen=True)
class Reading:
    """One temperature measurement as the thermometer driver delivered it.

    ``body_c`` is None when the thermometer gave no usable value (offline, fault).
    ``valid`` is False when a value exists but lies outside the plausible body range.
    """

    body_c: float | None
    raw_c: float | None = None
    ambient_c: float | None = None
    frames: int = 0
    valid: bool = True
    fault: str | None = None
    taken_from: dt.datetime | None = None
    """When the first frame of the measurement window was taken (None: not known)."""
    taken_until: dt.datetime | None = None
    """When the measurement window closed."""


@dataclass(frozen=True)
class Escort:
    """A host's campus pass scanned while a visitor waits."""

    campus_pass: CampusPass
    at: dt.datetime


@dataclass(frozen=True)
class Evidence:
    """Everything presented in one transaction so far.

    ID numbers arrive here only as keyed HMACs (``*_id_hmac``), computed by the gate.
    """

    health_code: HealthCode | None = None
    health_code_id_hmac: str | None = None
    online_health: OnlineColor | None = None
    campus_pass: CampusPass | None = None
    visit_slip: VisitSlip | None = None
    manual_person_no: str | None = None
    manual_id_hmac: str | None = None
    manual_approval_no: str | None = None
    id_cards: tuple[CardIdentity, ...] = ()
    """ID cards read for this transaction (HMAC and masked forms only)."""
    plate: str | None = None
    """A vehicle's normalised plate, typed or wedged in the vehicle lane (R16)."""
    failures: tuple[Reason, ...] = ()
    replayed: bool = False
    readings: tuple[Reading, ...] = ()
    escort_wait_since: dt.datetime | None = None
    escorts: tuple[Escort, ...] = ()
    host_confirmed_by_guard: bool = False
    guard_confirmed: tuple[Reason, ...] = ()
    """What a guard confirmed by looking (R15 waits, a code the server could not be asked
    about): these no longer hold the transaction."""
    data_as_of: DatasetTimes = field(default_factory=DatasetTimes)
    """How current each registry dataset was when the transaction began (R15)."""
    credential_kinds: tuple[str, ...] = field(default=())

    @property
    def identified(self) -> bool:
        """True once something names a person or an approval."""
        return any(
            (
                self.health_code,
                self.online_health,
                self.campus_pass,
                self.visit_slip,
                self.manual_person_no,
                self.manual_id_hmac,
                self.manual_approval_no,
                self.id_cards,
                self.plate,
            )
        )
