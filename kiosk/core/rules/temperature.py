"""R2: body temperature — retest once on fever, never pass an implausible or missing value."""

from __future__ import annotations

from kiosk.core.evidence import Evidence
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.rules.findings import Findings


def check_temperature(ev: Evidence, policy: Policy, f: Findings) -> None:
    """Judge the latest reading; earlier fever readings count toward the retest limit."""
    t = policy.temperature
    if not ev.readings:
        f.wait(Reason.TEMPERATURE_MISSING, "temperature")
        return
    last = ev.readings[-1]
    if last.body_c is None:
        f.reject(Reason.TEMPERATURE_MISSING)
        f.warn(Reason.DEVICE_FAULT)
        return
    if not t.is_plausible(last.body_c):
        f.wait(Reason.TEMPERATURE_INVALID, "retest")
        return
    if last.body_c >= t.fever_c:
        fevers = sum(
            1
            for r in ev.readings
            if r.body_c is not None and t.is_plausible(r.body_c) and r.body_c >= t.fever_c
        )
        if fevers > t.retests:
            f.reject(Reason.FEVER)
        else:
            f.warn(Reason.FEVER)
            f.wait(Reason.RETEST_REQUIRED, "retest")
