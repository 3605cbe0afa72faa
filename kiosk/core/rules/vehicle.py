"""R16 vehicles: only a vehicle on the campus list or on today's approved visit for this gate."""

from __future__ import annotations

from kiosk.core.evidence import GateContext
from kiosk.core.reasons import Reason
from kiosk.core.registry import RegistryView, Vehicle, VisitApproval
from kiosk.core.rules.findings import Findings
from kiosk.core.verdict import Subject


def check_vehicle(plate: str, reg: RegistryView, ctx: GateContext, f: Findings) -> Subject:
    """R16: admit ``plate`` (normalised) only when the campus vehicle list holds it, active and
    not expired, or an approved visit for today and this gate names it; otherwise refuse with
    the most specific reason. Returns who the decision is about."""
    listed = reg.vehicle(plate)
    if listed is not None and _listed_today(listed, ctx):
        return Subject(
            kind="vehicle", plate=plate, person_no=listed.person_no, host_unit=listed.unit or None
        )
    approvals = reg.visit_approvals_for_plate(plate)
    usable = [a for a in approvals if not _approval_faults(a, ctx)]
    if usable:
        return _visit_subject(plate, usable[0])
    if approvals:
        closest = min(approvals, key=lambda a: (len(_approval_faults(a, ctx)), a.approval_no))
        for reason in _approval_faults(closest, ctx):
            f.reject(reason)
        return _visit_subject(plate, closest)
    f.reject(Reason.VEHICLE_INACTIVE if listed is not None else Reason.VEHICLE_NOT_AUTHORIZED)
    subject = Subject(kind="vehicle", plate=plate)
    if listed is not None:
        subject = Subject(
            kind="vehicle", plate=plate, person_no=listed.person_no, host_unit=listed.unit or None
        )
    return subject


def _listed_today(vehicle: Vehicle, ctx: GateContext) -> bool:
    return vehicle.active and (vehicle.until is None or ctx.today <= vehicle.until)


def _approval_faults(approval: VisitApproval, ctx: GateContext) -> list[Reason]:
    faults = []
    if approval.status != "approved":
        faults.append(Reason.VEHICLE_APPROVAL_NOT_APPROVED)
    if approval.visit_date != ctx.today:
        faults.append(Reason.VEHICLE_APPROVAL_NOT_FOR_TODAY)
    if approval.gates and ctx.gate not in approval.gates:
        faults.append(Reason.VEHICLE_APPROVAL_NOT_FOR_GATE)
    return faults


def _visit_subject(plate: str, approval: VisitApproval) -> Subject:
    return Subject(
        kind="vehicle",
        plate=plate,
        name_masked=approval.name_masked,
        id_masked=approval.id_masked,
        id_hmac=approval.id_hmac,
        approval_no=approval.approval_no,
        host_person_no=approval.host_person_no,
        host_unit=approval.host_unit,
    )
