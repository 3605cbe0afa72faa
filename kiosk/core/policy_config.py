"""The gate policy, ``config/policy.toml``: every threshold and switch of rules R0–R16.

Defaults are those of the campus notice of 2022-01-08 (see ``docs/rules.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from kiosk.core.datasets import DATASETS
from kiosk.settings import ConfigError, load_dataclass, read_toml, setting

CheckMode = Literal["reject", "warn", "off"]
# Largest number a period setting may hold in its unit (seconds, minutes, hours or days): 100
# years in days, far beyond any sensible policy and far below what overflows a date computation.
MAX_PERIOD = 36_500


@dataclass(frozen=True)
class CredentialRules:
    clock_skew_s: int = setting(300, "R0: seconds a credential's iat/exp may differ from our clock")
    replay_check: bool = setting(
        True, "R14: refuse a campus pass already used in another transaction"
    )


@dataclass(frozen=True)
class HealthCodeRules:
    require_green: bool = setting(True, "R1: only a green health code admits")
    online_patterns: list[str] = setting(
        lambda: [r"^https://[^\s]*healthcode[^\s]*$"],
        "R1: regexes of URL/opaque codes sent to the central server for online verification",
        factory=True,
    )
    require_for_staff_and_students: bool = setting(
        False, "R1: also demand a health code from pass holders (the pass carries the colour)"
    )


@dataclass(frozen=True)
class TemperatureRules:
    fever_c: float = setting(37.3, "R2: body temperature at or above this is a fever")
    valid_min_c: float = setting(
        34.0, "R2: lowest plausible body temperature (the thermometer flags lower values too)"
    )
    valid_max_c: float = setting(
        42.0, "R2: highest plausible body temperature (the thermometer flags higher values too)"
    )
    retests: int = setting(1, "R2: retests allowed after a fever reading before the reject")
    check_on_exit: bool = setting(False, "R2: also measure people going out")

    @property
    def plausible_c(self) -> tuple[float, float]:
        """The plausible body-temperature range (lowest, highest), inclusive: the one range
        the policy and the thermometer both judge readings by."""
        return self.valid_min_c, self.valid_max_c

    def is_plausible(self, body_c: float) -> bool:
        """Whether ``body_c`` lies in the plausible range."""
        return self.valid_min_c <= body_c <= self.valid_max_c


@dataclass(frozen=True)
class RiskAreaRules:
    enabled: bool = setting(True, "R3: refuse people who visited a medium/high-risk area")
    lookback_days: int = setting(14, "R3: days of itinerary that count")
    levels: list[str] = setting(
        lambda: ["medium", "high"], "R3: risk levels that refuse", factory=True
    )


@dataclass(frozen=True)
class VisitRules:
    require_approval: bool = setting(True, "R4/R5: visitors need an approved visit")
    min_days_ahead: int = setting(
        1, "R5: approval must be filed at least this many days before the visit"
    )
    escort_required: bool = setting(True, "R6: host staff must collect the visitor at the gate")
    escort_window_min: int = setting(10, "R6: minutes the host has to scan their pass")


@dataclass(frozen=True)
class NatRules:
    required_outside_city: bool = setting(
        True, "R7: visitors from outside the city need a negative NAT"
    )
    max_age_h: int = setting(48, "R7: hours a NAT sample stays valid (inclusive)")


@dataclass(frozen=True)
class CategoryRules:
    banned: list[str] = setting(
        lambda: ["courier_temp", "delivery"], "R8: roles that never enter", factory=True
    )


@dataclass(frozen=True)
class BreakRules:
    start: dt.date | None = setting(
        dt.date(2022, 1, 15), "R9: first day of the winter break (local date)"
    )
    end: dt.date | None = setting(
        dt.date(2022, 2, 20), "R9: last day of the winter break (local date)"
    )
    students_need_stay_approval: bool = setting(
        True, "R9: students enter during the break only if approved to stay"
    )


@dataclass(frozen=True)
class LeaveRules:
    student_exit_needs_leave: bool = setting(
        True, "R10: staying students leave only on an approved leave"
    )
    applies_outside_break: bool = setting(False, "R10: also demand a leave outside the break")
    warn_overdue: bool = setting(True, "R10: flag a return after the leave ended")


@dataclass(frozen=True)
class CheckinRules:
    mode: CheckMode = setting("reject", "R11: missing daily check-in: reject, warn or off")


@dataclass(frozen=True)
class ContractorRules:
    checkin_mode: CheckMode = setting("reject", "R12: contractor without today's check-in")


@dataclass(frozen=True)
class TravelRules:
    staff_leave_city_needs_approval: bool = setting(
        True, "R13: flag staff who left the city unapproved"
    )


@dataclass(frozen=True)
class FreshnessRules:
    registry_max_age_h: float = setting(
        24.0, "R15: hours a dataset without its own limit may be old and still auto-admit"
    )
    max_age_h: dict[str, float] = setting(
        lambda: {
            "visit_approvals": 6.0,
            "quarantines": 6.0,
            "stay_approvals": 12.0,
            "leave_approvals": 12.0,
            "risk_areas": 12.0,
            "checkins": 24.0,
        },
        "R15: hours per dataset; a dataset not listed here gets registry_max_age_h",
        factory=True,
    )
    same_day: list[str] = setting(
        lambda: ["checkins"],
        "R15: datasets that must also be current as of the decision's campus-local day",
        factory=True,
    )

    def limit_h(self, dataset: str) -> float:
        """The oldest ``dataset`` may be, in hours, and still auto-admit."""
        return self.max_age_h.get(dataset, self.registry_max_age_h)


@dataclass(frozen=True)
class VehicleRules:
    enabled: bool = setting(True, "R16: only listed or visit-approved vehicles enter")
    check_on_exit: bool = setting(False, "R16: also check vehicles going out")


@dataclass(frozen=True)
class OverrideRules:
    reasons: list[str] = setting(
        lambda: [
            "THERMOMETER_FAULT_CONTACT_OK",
            "HOST_CONFIRMED_BY_PHONE",
            "REGISTRY_CONFIRMED_BY_PHONE",
            "EMERGENCY_SERVICES",
            "CODE_CHECKED_ON_PHONE",
        ],
        "reasons a guard may pick to override a reject",
        factory=True,
    )
    hard_rules: list[str] = setting(
        lambda: ["HEALTH_CODE_NOT_GREEN", "FEVER", "RISK_AREA_TRAVEL", "QUARANTINE_ACTIVE"],
        "reason codes that only an admin PIN can override",
        factory=True,
    )


@dataclass(frozen=True)
class TransactionRules:
    pending_timeout_s: int = setting(120, "seconds a pending transaction waits before it rejects")


@dataclass(frozen=True)
class Policy:
    version: str = setting("notice-2022-01-08", "policy version recorded with every decision")
    credentials: CredentialRules = field(default_factory=CredentialRules)
    health_code: HealthCodeRules = field(default_factory=HealthCodeRules)
    temperature: TemperatureRules = field(default_factory=TemperatureRules)
    risk_area: RiskAreaRules = field(default_factory=RiskAreaRules)
    visit: VisitRules = field(default_factory=VisitRules)
    nat: NatRules = field(default_factory=NatRules)
    categories: CategoryRules = field(default_factory=CategoryRules)
    break_: BreakRules = field(default_factory=BreakRules, metadata={"toml": "break"})
    leave: LeaveRules = field(default_factory=LeaveRules)
    checkin: CheckinRules = field(default_factory=CheckinRules)
    contractor: ContractorRules = field(default_factory=ContractorRules)
    travel: TravelRules = field(default_factory=TravelRules)
    freshness: FreshnessRules = field(default_factory=FreshnessRules)
    vehicle: VehicleRules = field(default_factory=VehicleRules)
    override: OverrideRules = field(default_factory=OverrideRules)
    transaction: TransactionRules = field(default_factory=TransactionRules)

    @cached_property
    def label(self) -> str:
        """``version+digest``: what decision records carry as their policy version."""
        return f"{self.version}+{self.digest()}"

    def digest(self) -> str:
        """Short hash of every setting, so two policies with the same version label differ."""
        blob = json.dumps(asdict(self), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


def policy_from_mapping(data: Any, file: str | Path = "<policy>") -> Policy:
    """Build a :class:`Policy` from a parsed TOML/JSON mapping."""
    policy = load_dataclass(Policy, data, file)
    return _checked(policy, file)


def load_policy(path: Path) -> Policy:
    """Load and validate ``policy.toml``."""
    return policy_from_mapping(read_toml(path), path)


def merge_policy(base: Policy, overrides: dict[str, Any], file: str = "<scenario>") -> Policy:
    """Return ``base`` with the tables in ``overrides`` replacing the matching fields."""
    merged = asdict(base)
    merged["break"] = merged.pop("break_")
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return policy_from_mapping(merged, file)


def _checked(policy: Policy, file: str | Path) -> Policy:
    t = policy.temperature
    if not t.valid_min_c < t.fever_c <= t.valid_max_c:
        raise ConfigError(
            file, "temperature.fever_c", "expected valid_min_c < fever_c <= valid_max_c"
        )
    if t.retests < 0:
        raise ConfigError(file, "temperature.retests", "expected 0 or more")
    b = policy.break_
    if (b.start is None) != (b.end is None):
        raise ConfigError(file, "break", "expected both start and end, or neither")
    if b.start and b.end and b.end < b.start:
        raise ConfigError(file, "break.end", "expected a date on or after break.start")
    for i, pattern in enumerate(policy.health_code.online_patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                file, f"health_code.online_patterns[{i}]", f"not a valid regular expression ({exc})"
            ) from None
    for key, value in (
        ("credentials.clock_skew_s", policy.credentials.clock_skew_s),
        ("risk_area.lookback_days", policy.risk_area.lookback_days),
        ("visit.min_days_ahead", policy.visit.min_days_ahead),
        ("visit.escort_window_min", policy.visit.escort_window_min),
        ("nat.max_age_h", policy.nat.max_age_h),
        ("transaction.pending_timeout_s", policy.transaction.pending_timeout_s),
    ):
        if not 0 <= value <= MAX_PERIOD:
            raise ConfigError(file, key, f"expected 0 to {MAX_PERIOD}, got {value}")
    _check_freshness(policy.freshness, file)
    unknown_hard = [r for r in policy.override.hard_rules if not r.isupper()]
    if unknown_hard:
        raise ConfigError(
            file, "override.hard_rules", f"expected reason codes, got {unknown_hard[0]!r}"
        )
    return replace(policy)


def _check_freshness(rules: FreshnessRules, file: str | Path) -> None:
    if not 0 <= rules.registry_max_age_h <= MAX_PERIOD:
        raise ConfigError(file, "freshness.registry_max_age_h", f"expected 0 to {MAX_PERIOD}")
    known = ", ".join(DATASETS)
    for name, hours in rules.max_age_h.items():
        if name not in DATASETS:
            raise ConfigError(
                file, f"freshness.max_age_h.{name}", f"unknown dataset (one of {known})"
            )
        if not 0 <= hours <= MAX_PERIOD:
            raise ConfigError(
                file, f"freshness.max_age_h.{name}", f"expected 0 to {MAX_PERIOD}, got {hours}"
            )
    for i, name in enumerate(rules.same_day):
        if name not in DATASETS:
            raise ConfigError(
                file, f"freshness.same_day[{i}]", f"unknown dataset {name!r} (one of {known})"
            )
