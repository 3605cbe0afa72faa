"""The policy engine: a pure function from evidence, registry, policy and context to a verdict.

It implements rules R0–R16 of ``docs/rules.md``. It reads the registry only through
:class:`~kiosk.core.registry.RegistryView` point lookups and never looks at a clock, a device
or the network, so the same inputs always give the same verdict.
"""

from __future__ import annotations

from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import RegistryView
from kiosk.core.rules import health, id_card, member, vehicle, visitor
from kiosk.core.rules.findings import Findings
from kiosk.core.rules.freshness import check_freshness
from kiosk.core.rules.subject import Resolved, resolve
from kiosk.core.rules.temperature import check_temperature
from kiosk.core.verdict import Subject, Verdict


def decide(ev: Evidence, reg: RegistryView, policy: Policy, ctx: GateContext) -> Verdict:
    """Decide admit, reject or pending for the transaction described by ``ev``."""
    f = Findings(confirmed=ev.guard_confirmed)
    if not ev.identified:
        for failure in ev.failures:
            f.reject(failure)
        if not ev.failures:
            f.wait(Reason.CREDENTIAL_MISSING, "credential")
        return _verdict(f, Subject(kind="unknown"), policy, reg)
    if ev.plate is not None:
        return _vehicle(ev.plate, ev, reg, policy, ctx)
    if _only_online_code(ev):
        # A URL health code names nobody: judge its colour, then ask who the person is.
        health.check_colour(ev, policy, f, required=False)
        if not f.refused:
            f.wait(Reason.CREDENTIAL_MISSING, "credential")
        return _verdict(f, Subject(kind="unknown"), policy, reg)
    who = resolve(ev, reg, ctx, f)
    id_card.check_cards(ev, who, ctx, f)
    if ctx.direction == "out":
        if who.person is not None:
            _member_exit(ev, reg, policy, ctx, who, f)
    elif who.person is not None:
        _member_entry(ev, reg, policy, ctx, who, f)
    elif who.approval is not None:
        _visitor_entry(ev, reg, policy, ctx, who, f)
    if not f.refused and (ctx.direction == "in" or policy.temperature.check_on_exit):
        check_temperature(ev, policy, f)
    if (
        not f.refused
        and not f.waits
        and ctx.direction == "in"
        and who.approval is not None
        and who.person is None
    ):
        visitor.check_escort(ev, who.approval, reg, policy, ctx, f)
    if not f.refused and set(f.needs) <= {"guard"}:
        # one guard confirmation covers stale data and an unanswered online check together
        check_freshness(ev, who.subject, policy, ctx, f)
    return _verdict(f, who.subject, policy, reg)


def _vehicle(
    plate: str, ev: Evidence, reg: RegistryView, policy: Policy, ctx: GateContext
) -> Verdict:
    """The vehicle lane: R16 on the way in (and out, if configured), then R15."""
    f = Findings(confirmed=ev.guard_confirmed)
    rules = policy.vehicle
    if rules.enabled and (ctx.direction == "in" or rules.check_on_exit):
        subject = vehicle.check_vehicle(plate, reg, ctx, f)
        if not f.refused:
            check_freshness(ev, subject, policy, ctx, f)
    else:
        subject = Subject(kind="vehicle", plate=plate)
    return _verdict(f, subject, policy, reg)


def _only_online_code(ev: Evidence) -> bool:
    return ev.online_health is not None and not any(
        (
            ev.health_code,
            ev.campus_pass,
            ev.visit_slip,
            ev.manual_person_no,
            ev.manual_id_hmac,
            ev.manual_approval_no,
            ev.id_cards,
        )
    )


def _member_entry(
    ev: Evidence, reg: RegistryView, policy: Policy, ctx: GateContext, who: Resolved, f: Findings
) -> None:
    person = who.person
    assert person is not None
    member.check_identity_state(ev, person, reg, policy, f)
    health.check_colour(ev, policy, f, required=policy.health_code.require_for_staff_and_students)
    health.check_risk(ev, reg, policy, ctx, who, f, member.leave_trips(person, reg, ctx.now))
    health.check_nat_positive(ev, f)
    member.check_checkin(ev, person, reg, policy, ctx, f)
    member.check_student_entry(person, reg, policy, ctx, f)
    member.check_staff_travel(ev, person, reg, policy, ctx, f)


def _visitor_entry(
    ev: Evidence, reg: RegistryView, policy: Policy, ctx: GateContext, who: Resolved, f: Findings
) -> None:
    approval = who.approval
    assert approval is not None
    if policy.visit.require_approval:
        visitor.check_approval(approval, policy, ctx, f)
    health.check_colour(ev, policy, f, required=True)
    health.check_risk(ev, reg, policy, ctx, who, f)
    health.check_nat(ev, policy, ctx, approval.origin_region, f)


def _member_exit(
    ev: Evidence, reg: RegistryView, policy: Policy, ctx: GateContext, who: Resolved, f: Findings
) -> None:
    """Going out checks identity and R10, not health or temperature."""
    assert who.person is not None
    member.check_identity_state(ev, who.person, reg, policy, f)
    member.check_student_exit(who.person, reg, policy, ctx, f)


def _verdict(f: Findings, subject: Subject, policy: Policy, reg: RegistryView) -> Verdict:
    if f.rejects:
        outcome = "reject"
        reasons = tuple(f.rejects)
    elif f.waits:
        outcome = "pending"
        reasons = tuple(f.waits)
    else:
        outcome = "admit"
        reasons = ()
    return Verdict(
        outcome=outcome,  # type: ignore[arg-type]
        reasons=reasons,
        warnings=tuple(f.warnings),
        needs=tuple(f.needs) if outcome == "pending" else (),
        subject=subject,
        close_leave_id=f.close_leave_id if outcome == "admit" else None,
        confirmable=tuple(f.confirmable) if outcome == "pending" else (),
        stale=tuple(f.stale),
        policy_version=policy.label,
        registry_version=reg.version,
    )
