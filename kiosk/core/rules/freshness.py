"""R15: the datasets a decision depends on must be current enough, and the clock trusted.

Only the datasets the rules consulted for this subject count: a staff member's entry does not
wait because the visit approvals are old, a visitor's does not wait on the check-ins.
"""

from __future__ import annotations

import datetime as dt

from kiosk.core.datasets import DATASETS, StaleDataset
from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.policy_config import FreshnessRules, Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import CHECKIN_ROLES, CONTRACTOR_ROLES
from kiosk.core.rules.findings import Findings
from kiosk.core.verdict import Subject

IDENTITY = ("people", "revocations")
"""Who the member is and whether their campus pass still counts (R14)."""
HEALTH = ("quarantines", "risk_areas")
"""R3 for everyone who comes in."""


def depends_on(ev: Evidence, subject: Subject, policy: Policy, ctx: GateContext) -> list[str]:
    """The datasets the decision about ``subject`` read, in ``DATASETS`` order."""
    used: set[str] = set()
    if ev.health_code or ev.campus_pass or ev.visit_slip:
        used.add("trust_keys")  # every signed code was verified against the trust list
    if subject.kind == "vehicle":
        used.update(("vehicles", "visit_approvals"))
    elif subject.kind == "member":
        used.update(IDENTITY)
        used.update(_member(subject.role, policy, ctx))
    elif subject.kind == "visitor":
        used.update(("people", "visit_approvals", *HEALTH))
        if ev.escorts:
            used.update(IDENTITY)  # the host's pass and record (R6)
    else:
        used.update(("people", "visit_approvals"))
    return [name for name in DATASETS if name in used]


def _member(role: str | None, policy: Policy, ctx: GateContext) -> tuple[str, ...]:
    if ctx.direction == "out":
        return ("stay_approvals", "leave_approvals") if role == "student" else ()
    used: list[str] = [*HEALTH, "leave_approvals"]  # leave trips count as itinerary (R3, R13)
    if role == "student":
        used.append("stay_approvals")
    if (role in CHECKIN_ROLES and policy.checkin.mode != "off") or (
        role in CONTRACTOR_ROLES and policy.contractor.checkin_mode != "off"
    ):
        used.append("checkins")
    return tuple(used)


def stale_datasets(
    ev: Evidence, datasets: list[str], rules: FreshnessRules, ctx: GateContext
) -> list[StaleDataset]:
    """The datasets among ``datasets`` too old for a decision at ``ctx.now``."""
    stale: list[StaleDataset] = []
    for name in datasets:
        as_of = ev.data_as_of.of(name)
        limit_h = rules.limit_h(name)
        same_day = name in rules.same_day
        age_s = None if as_of is None else max(0.0, (ctx.now - as_of).total_seconds())
        too_old = (
            as_of is None
            or ctx.now - as_of > dt.timedelta(hours=limit_h)
            or (same_day and ctx.local_date(as_of) < ctx.today)
        )
        if too_old:
            stale.append(StaleDataset(name, as_of, age_s, limit_h, same_day))
    return stale


def check_freshness(
    ev: Evidence, subject: Subject, policy: Policy, ctx: GateContext, f: Findings
) -> None:
    """R15: stale data the decision depends on, or an untrusted clock, cannot auto-admit."""
    stale = stale_datasets(ev, depends_on(ev, subject, policy, ctx), policy.freshness, ctx)
    if stale:
        f.wait(Reason.REGISTRY_STALE, "guard")
        f.stale.extend(stale)
    if not ctx.clock_trusted:
        f.wait(Reason.CLOCK_UNTRUSTED, "guard")
    if f.waits:
        f.wait(Reason.GUARD_CONFIRMATION_REQUIRED, "guard")
