"""Rules for registered people: R8 categories, R9–R10 students over the break, R11–R12
check-ins, R13 staff travel, R14 identity state."""

from __future__ import annotations

import datetime as dt

from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.policy_config import CheckMode, Policy
from kiosk.core.reasons import Reason
from kiosk.core.regions import covers, in_city
from kiosk.core.registry import (
    CHECKIN_ROLES,
    CONTRACTOR_ROLES,
    STAFF,
    LeaveApproval,
    Person,
    RegistryView,
)
from kiosk.core.rules.findings import Findings


def check_identity_state(
    ev: Evidence, person: Person, reg: RegistryView, policy: Policy, f: Findings
) -> None:
    """R14 inactive, revoked, replayed; R8 banned categories."""
    if not person.active:
        f.reject(Reason.PERSON_INACTIVE)
    if reg.is_revoked("campus_pass", person.person_no):
        f.reject(Reason.CREDENTIAL_REVOKED)
    if ev.replayed:
        f.reject(Reason.CREDENTIAL_REPLAYED)
    if person.role in policy.categories.banned:
        f.reject(Reason.CATEGORY_BANNED)


def check_checkin(
    ev: Evidence, person: Person, reg: RegistryView, policy: Policy, ctx: GateContext, f: Findings
) -> None:
    """R11 daily check-in of students and staff; R12 contractors under health monitoring."""
    if person.role in CHECKIN_ROLES:
        mode: CheckMode = policy.checkin.mode
    elif person.role in CONTRACTOR_ROLES:
        mode = policy.contractor.checkin_mode
    else:
        return
    if mode == "off":
        return
    if ev.campus_pass is not None and ev.campus_pass.person_no == person.person_no:
        problem = None if ev.campus_pass.checked_in else Reason.CHECKIN_MISSING
    else:
        record = reg.checkin(person.person_no, ctx.today)
        if record is None:
            problem = Reason.CHECKIN_MISSING
        elif record.status != "normal":
            problem = Reason.CHECKIN_ABNORMAL
        else:
            problem = None
    if problem is None:
        return
    if mode == "reject":
        f.reject(problem)
    else:
        f.warn(problem)


def in_break(policy: Policy, day: dt.date) -> bool:
    """True when ``day`` lies in the configured break (inclusive)."""
    b = policy.break_
    return b.start is not None and b.end is not None and b.start <= day <= b.end


def has_stay_approval(person: Person, reg: RegistryView, day: dt.date) -> bool:
    """True when an approved stay covers ``day``."""
    return any(
        s.status == "approved" and s.start <= day <= s.until
        for s in reg.stay_approvals(person.person_no)
    )


def check_student_entry(
    person: Person, reg: RegistryView, policy: Policy, ctx: GateContext, f: Findings
) -> None:
    """R9 stay approval during the break; R10 re-entry closes the open leave (销假)."""
    if person.role != "student":
        return
    if (
        policy.break_.students_need_stay_approval
        and in_break(policy, ctx.today)
        and not has_stay_approval(person, reg, ctx.today)
    ):
        f.reject(Reason.STUDENT_NO_STAY_APPROVAL)
    open_leaves = [
        lv
        for lv in reg.leave_approvals(person.person_no)
        if lv.kind == "campus_exit"
        and lv.status == "approved"
        and lv.returned_at is None
        and lv.start <= ctx.now
    ]
    if open_leaves:
        latest = max(open_leaves, key=lambda lv: lv.start)
        f.close_leave_id = latest.leave_id
        if policy.leave.warn_overdue and latest.until < ctx.now:
            f.warn(Reason.LEAVE_OVERDUE)


def check_student_exit(
    person: Person, reg: RegistryView, policy: Policy, ctx: GateContext, f: Findings
) -> None:
    """R10: a student staying on campus goes out only on an approved leave covering now."""
    if person.role != "student" or not policy.leave.student_exit_needs_leave:
        return
    staying = in_break(policy, ctx.today) and has_stay_approval(person, reg, ctx.today)
    if not (staying or policy.leave.applies_outside_break):
        return
    if not any(
        _covers_now(lv, ctx.now)
        for lv in reg.leave_approvals(person.person_no)
        if lv.kind == "campus_exit"
    ):
        f.reject(Reason.STUDENT_NO_LEAVE)


def _covers_now(leave: LeaveApproval, now: dt.datetime) -> bool:
    return (
        leave.status == "approved"
        and leave.returned_at is None
        and leave.start <= now <= leave.until
    )


def check_staff_travel(
    ev: Evidence, person: Person, reg: RegistryView, policy: Policy, ctx: GateContext, f: Findings
) -> None:
    """R13: staff whose itinerary left the city without an approved trip are flagged."""
    if person.role != STAFF or not policy.travel.staff_leave_city_needs_approval:
        return
    if ev.health_code is None:
        return
    outside = [r for r in ev.health_code.visited_regions if not in_city(r, ctx.city_prefix)]
    if not outside:
        return
    since = ctx.now - dt.timedelta(days=policy.risk_area.lookback_days)
    trips = [
        lv
        for lv in reg.leave_approvals(person.person_no)
        if lv.kind == "leave_city" and lv.status == "approved" and lv.until >= since
    ]
    for region in outside:
        if not any(
            covers(t.destination_region, region) or t.destination_region == "" for t in trips
        ):
            f.warn(Reason.UNAPPROVED_TRAVEL)
            return


def leave_trips(
    person: Person, reg: RegistryView, now: dt.datetime
) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """Itineraries known from approved leaves: (destination, start, end)."""
    return [
        (lv.destination_region, lv.start, min(lv.returned_at or lv.until, now))
        for lv in reg.leave_approvals(person.person_no)
        if lv.status == "approved" and lv.destination_region and lv.start <= now
    ]
