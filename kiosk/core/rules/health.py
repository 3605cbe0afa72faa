"""R1 health-code colour, R3 risk areas and quarantine, R7 nucleic-acid test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.policy_config import Policy
from kiosk.core.reasons import Reason
from kiosk.core.regions import enclosing_codes, in_city
from kiosk.core.registry import RegistryView
from kiosk.core.rules.findings import Findings
from kiosk.core.rules.subject import Resolved


def check_colour(ev: Evidence, policy: Policy, f: Findings, *, required: bool) -> None:
    """R1: a non-green colour refuses; a required but absent or unverifiable code too."""
    if not policy.health_code.require_green:
        return
    colours: list[str] = []
    if ev.health_code is not None:
        colours.append(ev.health_code.color)
    if ev.online_health is not None:
        colours.append(ev.online_health)
    if ev.campus_pass is not None:
        colours.append(ev.campus_pass.color)
    if any(c in ("yellow", "red") for c in colours):
        f.reject(Reason.HEALTH_CODE_NOT_GREEN)
    elif "checking" in colours and ev.health_code is None:
        f.wait(Reason.HEALTH_CODE_CHECKING, "health_code")
    elif "unreachable" in colours and ev.health_code is None:
        # The server could not be asked: the guard looks at the phone and confirms.
        f.guard_check(Reason.HEALTH_CODE_UNVERIFIED)
    elif {"unverified", "invalid"} & set(colours) and ev.health_code is None:
        f.reject(Reason.HEALTH_CODE_UNVERIFIED)
    elif required and ev.health_code is None and ev.online_health != "green":
        f.wait(Reason.HEALTH_CODE_REQUIRED, "health_code")


def check_risk(
    ev: Evidence,
    reg: RegistryView,
    policy: Policy,
    ctx: GateContext,
    who: Resolved,
    f: Findings,
    extra_trips: Sequence[tuple[str, dt.datetime, dt.datetime]] = (),
) -> None:
    """R3: refuse an active quarantine, and travel to a listed area unless a release is recorded.

    ``extra_trips`` are (region, start, end) itineraries known from the registry (leaves).
    """
    person_no = who.person.person_no if who.person else None
    holds = reg.quarantines(who.id_hmac, person_no) if (who.id_hmac or person_no) else []
    active = [q for q in holds if q.start <= ctx.now and (q.until is None or ctx.now < q.until)]
    if active:
        f.reject(Reason.QUARANTINE_ACTIVE)
        return
    if not policy.risk_area.enabled:
        return
    lookback = dt.timedelta(days=policy.risk_area.lookback_days)
    since = ctx.now - lookback
    trips: list[tuple[str, dt.datetime, dt.datetime]] = []
    if ev.health_code is not None:
        # The code's itinerary covers the last 14 days without dates of its own.
        trips.extend((region, since, ctx.now) for region in ev.health_code.visited_regions)
    trips.extend(t for t in extra_trips if t[2] >= since)
    if not trips:
        return
    codes = sorted({c for region, _, _ in trips for c in enclosing_codes(region)})
    areas = [a for a in reg.risk_areas(codes) if a.level in policy.risk_area.levels]
    for region, start, end in trips:
        enclosing = set(enclosing_codes(region))
        for area in areas:
            if area.region_code not in enclosing:
                continue
            area_end = area.until or ctx.now
            exposed_from = max(start, since)
            if area.start <= min(end, ctx.now) and area_end >= exposed_from:
                # Only a quarantine served for this return releases it: started inside the
                # exposure window and already over.
                released = [
                    q
                    for q in holds
                    if q.until is not None and q.until <= ctx.now and q.start >= exposed_from
                ]
                if not released:
                    f.reject(Reason.RISK_AREA_TRAVEL)
                return


def check_nat_positive(ev: Evidence, f: Findings) -> bool:
    """R7: a positive NAT on the health code rejects anyone, wherever they come from; True
    when it did."""
    nat = ev.health_code.nat if ev.health_code else None
    if nat is not None and nat.result == "positive":
        f.reject(Reason.NAT_POSITIVE)
        return True
    return False


def check_nat(
    ev: Evidence, policy: Policy, ctx: GateContext, origin: str | None, f: Findings
) -> None:
    """R7: visitors from outside the city need a negative NAT sampled within the window."""
    if check_nat_positive(ev, f):
        return
    nat = ev.health_code.nat if ev.health_code else None
    if not policy.nat.required_outside_city:
        return
    regions = [origin] if origin else list(ev.health_code.visited_regions if ev.health_code else [])
    if not regions or all(in_city(r, ctx.city_prefix) for r in regions):
        return
    if nat is None:
        if ev.health_code is None:
            f.wait(Reason.NAT_REQUIRED, "health_code")
        else:
            f.reject(Reason.NAT_REQUIRED)
    elif ctx.now - nat.sampled_at > dt.timedelta(hours=policy.nat.max_age_h):
        f.reject(Reason.NAT_EXPIRED)
