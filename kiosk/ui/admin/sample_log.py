"""A synthetic gate log of any size, written straight into a store's tables with a valid
hash chain: for the admin screen's tests, its benchmark and its screenshots.

Records look like the gate's own (``decision`` payloads with direction, subject, reasons,
override; some ``audit`` and ``device`` events) and are spread over ``days`` local days.
They are bulk inserted in one transaction, far faster than :meth:`DecisionLog.append`.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from sqlalchemy import Engine, select

from kiosk.core.reasons import Reason
from kiosk.store.chain import GENESIS_HASH, canonical_json, record_hash
from kiosk.store.log import EVENTS, META, META_LOG_END, OUTBOX

ROLES = ("student", "staff", "contractor", "visitor")
REJECT_REASONS = (
    Reason.FEVER,
    Reason.HEALTH_CODE_NOT_GREEN,
    Reason.NO_VISIT_APPROVAL,
    Reason.STUDENT_NO_STAY_APPROVAL,
    Reason.CREDENTIAL_EXPIRED,
    Reason.NAT_EXPIRED,
    Reason.CHECKIN_MISSING,
    Reason.RISK_AREA_TRAVEL,
)
SURNAMES = "王李张刘陈杨赵黄周吴"


def _decision(rng: random.Random, gate: str, at: dt.datetime) -> dict[str, Any]:
    role = rng.choices(ROLES, weights=(6, 3, 1, 1))[0]
    reject = rng.random() < 0.18
    reasons = sorted({rng.choice(REJECT_REASONS).value for _ in range(rng.choice((1, 1, 2)))})
    override = None
    outcome = "reject" if reject else "admit"
    if reject and rng.random() < 0.05:
        outcome = "admit"
        override = {"reason": "host_escort", "by": "guard", "over": ",".join(reasons)}
    visitor = role == "visitor"
    number = f"{'V' if visitor else role[0].upper()}{rng.randrange(10_000_000):07d}"
    return {
        "transaction_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "at": at.isoformat(),
        "gate": gate,
        "direction": rng.choice(("in", "in", "out")),
        "outcome": outcome,
        "reasons": reasons if reject else [],
        "warnings": [],
        "subject": {
            "kind": "visitor" if visitor else "member",
            "person_no": None if visitor else number,
            "role": role,
            "name_masked": rng.choice(SURNAMES) + "*",
            "id_masked": None,
            "id_hmac": None,
            "approval_no": number if visitor else None,
            "host_person_no": None,
            "host_unit": "计算机学院" if visitor else None,
        },
        "credentials": ["HK1"],
        "override": override,
        "temperature": [{"body_c": round(rng.uniform(36.0, 38.2 if reject else 37.2), 1)}],
    }


def fill_log(
    engine: Engine,
    n: int,
    *,
    gate: str = "north",
    last_day: dt.date,
    days: int = 7,
    tz: dt.tzinfo = dt.UTC,
    seed: int = 7,
) -> None:
    """Append ``n`` chained records to the (possibly non-empty) log of ``engine``."""
    rng = random.Random(seed)
    first = dt.datetime.combine(last_day - dt.timedelta(days=days - 1), dt.time(6), tzinfo=tz)
    span = days * 86_400 - 8 * 3600
    stamps = sorted(first + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
    with engine.begin() as conn:
        newest = conn.execute(
            select(EVENTS.c.seq, EVENTS.c.hash).order_by(EVENTS.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (newest.seq, newest.hash) if newest else (0, GENESIS_HASH)
        events: list[dict[str, Any]] = []
        outbox: list[dict[str, Any]] = []
        for at in stamps:
            seq += 1
            roll = rng.random()
            if roll < 0.94:
                kind, payload = "decision", _decision(rng, gate, at)
            elif roll < 0.97:
                kind, payload = "device", {"event": "relay_pulsed", "gate": gate}
            else:
                kind, payload = "audit", {"event": "retest", "gate": gate}
            outcome = payload.get("outcome")
            person_no = (payload.get("subject") or {}).get("person_no")
            record_id = str(uuid.UUID(int=rng.getrandbits(128)))
            text = canonical_json(payload)
            digest = record_hash(
                prev,
                seq=seq,
                record_id=record_id,
                kind=kind,
                at=at,
                gate=gate,
                outcome=outcome,
                person_no=person_no,
                payload=payload,
            )
            events.append({
                "seq": seq, "record_id": record_id, "kind": kind, "at": at, "gate": gate,
                "outcome": outcome, "person_no": person_no, "payload": text,
                "prev_hash": prev, "hash": digest,
            })
            outbox.append({"seq": seq, "record_id": record_id, "status": "pending", "attempts": 0})
            prev = digest
        if events:
            conn.execute(EVENTS.insert(), events)
            conn.execute(OUTBOX.insert(), outbox)
            value = f"{seq} {prev}"
            if conn.execute(select(META.c.key).where(META.c.key == META_LOG_END)).first():
                conn.execute(META.update().where(META.c.key == META_LOG_END).values(value=value))
            else:
                conn.execute(META.insert().values(key=META_LOG_END, value=value))
