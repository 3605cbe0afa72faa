"""Who is in front of the kiosk: a registered member, a visitor with an approval, or nobody."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.identity import mask_id, mask_name
from kiosk.core.reasons import Reason
from kiosk.core.registry import CONTRACTOR_ROLES, Person, RegistryView, VisitApproval
from kiosk.core.rules.findings import Findings
from kiosk.core.verdict import Subject


@dataclass(frozen=True)
class Resolved:
    """The subject of a transaction and the registry records found for it."""

    subject: Subject
    person: Person | None = None
    approval: VisitApproval | None = None
    id_hmac: str | None = None


def resolve(ev: Evidence, reg: RegistryView, ctx: GateContext, f: Findings) -> Resolved:
    """Identify the subject from the evidence; record R4/R12/R14 identity failures."""
    id_hmac = ev.health_code_id_hmac or ev.manual_id_hmac
    person: Person | None = None
    person_no = ev.campus_pass.person_no if ev.campus_pass else ev.manual_person_no
    if person_no is not None:
        person = reg.person(person_no)
        if person is None:
            claimed_role = ev.campus_pass.role if ev.campus_pass else None
            if claimed_role in CONTRACTOR_ROLES:
                f.reject(Reason.CONTRACTOR_NOT_REGISTERED)
            else:
                f.reject(Reason.NOT_AUTHORIZED)
            return Resolved(Subject(kind="unknown", person_no=person_no, role=claimed_role))
        if ev.health_code_id_hmac and person.id_hmac and ev.health_code_id_hmac != person.id_hmac:
            f.reject(Reason.HEALTH_CODE_MISMATCH)
    elif id_hmac is not None:
        person = reg.person_by_id(id_hmac)
    if person is not None:
        return Resolved(_member_subject(person), person=person, id_hmac=person.id_hmac or id_hmac)
    return _resolve_visitor(ev, reg, ctx, f, id_hmac)


def _member_subject(person: Person) -> Subject:
    return Subject(
        kind="member",
        person_no=person.person_no,
        role=person.role,
        name_masked=person.name_masked,
        id_masked=person.id_masked,
        id_hmac=person.id_hmac,
    )


def _resolve_visitor(
    ev: Evidence, reg: RegistryView, ctx: GateContext, f: Findings, id_hmac: str | None
) -> Resolved:
    approval_no = ev.visit_slip.approval_no if ev.visit_slip else ev.manual_approval_no
    approval: VisitApproval | None = None
    problems: list[Reason] = []
    if approval_no is not None:
        approval = reg.visit_approval(approval_no)
        if approval is None:
            problems.append(Reason.NO_VISIT_APPROVAL)
        elif id_hmac is not None and approval.id_hmac != id_hmac:
            problems.append(Reason.APPROVAL_HOLDER_MISMATCH)
    elif id_hmac is not None:
        approval = _best_approval(reg.visit_approvals_for(id_hmac), ctx)
    if approval is None and approval_no is None:
        problems += [Reason.NOT_AUTHORIZED, Reason.NO_VISIT_APPROVAL]
    hc = ev.health_code
    # A visitor leaving needs a verified identity only; the approval rules concern entry.
    if not (ctx.direction == "out" and (hc is not None or approval is not None)):
        for reason in problems:
            f.reject(reason)
    name_masked = mask_name(hc.name) if hc else (approval.name_masked if approval else None)
    id_masked = mask_id(hc.id_number) if hc else None
    kind = "unknown" if approval is None else "visitor"
    subject = Subject(
        kind=kind,  # type: ignore[arg-type]
        role="visitor" if approval else None,
        name_masked=name_masked,
        id_masked=id_masked,
        id_hmac=id_hmac or (approval.id_hmac if approval else None),
        approval_no=approval.approval_no if approval else approval_no,
        host_person_no=approval.host_person_no if approval else None,
        host_unit=approval.host_unit if approval else None,
    )
    return Resolved(subject, approval=approval, id_hmac=subject.id_hmac)


def _best_approval(approvals: list[VisitApproval], ctx: GateContext) -> VisitApproval | None:
    """Prefer an approved approval for today at this gate; else the most relevant one."""

    def score(a: VisitApproval) -> tuple[bool, bool, bool, object]:
        return (
            a.status == "approved",
            a.visit_date == ctx.today,
            not a.gates or ctx.gate in a.gates,
            a.visit_date,
        )

    return max(approvals, key=score) if approvals else None
