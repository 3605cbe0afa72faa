"""R5 visit approvals and R6 the host's escort."""

from __future__ import annotations

import datetime as dt

from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import STAFF, Person, RegistryView, VisitApproval
from kiosk.core.rules.findings import Findings


def check_approval(approval: VisitApproval, policy: Policy, ctx: GateContext, f: Findings) -> None:
    """R5: approved, for today, for this gate, filed at least ``min_days_ahead`` days before."""
    if approval.status != "approved":
        f.reject(Reason.APPROVAL_NOT_APPROVED)
    if approval.visit_date != ctx.today:
        f.reject(Reason.APPROVAL_NOT_FOR_TODAY)
    if approval.gates and ctx.gate not in approval.gates:
        f.reject(Reason.APPROVAL_NOT_FOR_GATE)
    filed = ctx.local_date(approval.filed_at)
    if filed > approval.visit_date - dt.timedelta(days=policy.visit.min_days_ahead):
        f.reject(Reason.APPROVAL_FILED_LATE)


def check_escort(
    ev: Evidence,
    approval: VisitApproval,
    reg: RegistryView,
    policy: Policy,
    ctx: GateContext,
    f: Findings,
) -> None:
    """R6: wait for a campus pass of the host unit's staff, scanned within the window."""
    if not policy.visit.escort_required:
        return
    window = dt.timedelta(minutes=policy.visit.escort_window_min)
    since = ev.escort_wait_since or ctx.now
    for escort in ev.escorts:
        if escort.at - since > window:
            continue
        if may_escort(escort.campus_pass.person_no, escort.campus_pass.color, approval, reg):
            return
    if ctx.now - since > window:
        f.reject(Reason.ESCORT_TIMEOUT)
        return
    if ev.escorts:
        f.warn(Reason.ESCORT_INVALID)
    f.wait(Reason.ESCORT_REQUIRED, "escort")


def hosts_visitor(
    person_no: str, person: Person | None, host_person_no: str | None, host_unit: str | None
) -> bool:
    """R6: whether the holder of a campus pass belongs to the visitor's host — the named host,
    or a staff member of the host unit. Such a pass pairs with the parked visitor; whether it
    may escort is :func:`may_escort`."""
    if person is None or person.role != STAFF:
        return False
    return person_no == host_person_no or (bool(host_unit) and person.unit == host_unit)


def may_escort(person_no: str, color: str, approval: VisitApproval, reg: RegistryView) -> bool:
    """R6: a green, unrevoked campus pass of an active member of the visitor's host."""
    if color != "green" or reg.is_revoked("campus_pass", person_no):
        return False
    host = reg.person(person_no)
    if host is None or not host.active:
        return False
    return hosts_visitor(person_no, host, approval.host_person_no, approval.host_unit)
