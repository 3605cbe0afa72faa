"""A gate's decision backlog made fast for tests and benchmarks: records chained exactly as
:meth:`DecisionLog.append` chains them, written in one transaction instead of one each."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select, update

from kiosk.store import Store
from kiosk.store.chain import GENESIS_HASH, canonical_json, record_hash
from kiosk.store.db import write_connection
from kiosk.store.log import EVENTS, META, META_LOG_END, OUTBOX

START = dt.datetime(2022, 1, 20, 0, 30, tzinfo=dt.UTC)


def fill_log(store: Store, n: int, *, start: dt.datetime = START, tag: str = "") -> None:
    """Append ``n`` decisions (pending in the outbox) to the store's log in one transaction."""
    with write_connection(store.engine) as conn, conn.begin():
        newest = conn.execute(
            select(EVENTS.c.seq, EVENTS.c.hash).order_by(EVENTS.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (newest.seq, newest.hash) if newest is not None else (0, GENESIS_HASH)
        events: list[dict[str, Any]] = []
        outbox: list[dict[str, Any]] = []
        for i in range(n):
            seq += 1
            at = start + dt.timedelta(seconds=seq)
            outcome = "admit" if i % 7 else "reject"
            person_no = f"S{(seq * 7919) % 100_000:05d}"
            payload = json.loads(
                canonical_json(
                    {"outcome": outcome, "reasons": [] if i % 7 else ["FEVER"], "n": tag}
                )
            )
            record_id = str(uuid.uuid4())
            digest = record_hash(
                prev,
                seq=seq,
                record_id=record_id,
                kind="decision",
                at=at,
                gate=store.gate,
                outcome=outcome,
                person_no=person_no,
                payload=payload,
            )
            events.append(
                dict(
                    seq=seq,
                    record_id=record_id,
                    kind="decision",
                    at=at,
                    gate=store.gate,
                    outcome=outcome,
                    person_no=person_no,
                    payload=canonical_json(payload),
                    prev_hash=prev,
                    hash=digest,
                )
            )
            outbox.append(dict(seq=seq, record_id=record_id, status="pending", attempts=0))
            prev = digest
        if events:
            conn.execute(EVENTS.insert(), events)
            conn.execute(OUTBOX.insert(), outbox)
            value = f"{seq} {prev}"
            if conn.execute(select(META.c.key).where(META.c.key == META_LOG_END)).first():
                conn.execute(update(META).where(META.c.key == META_LOG_END).values(value=value))
            else:
                conn.execute(META.insert().values(key=META_LOG_END, value=value))
