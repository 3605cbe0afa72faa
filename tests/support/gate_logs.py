"""Hash-chained gate logs made in memory, as a kiosk would have logged them (tests, bench)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from kiosk.store.chain import GENESIS_HASH, LogRecord, record_hash

START = dt.datetime(2022, 1, 20, 0, 0, tzinfo=dt.UTC)
HOSTILE = '=HYPERLINK("http://evil.example","x")'


def _payload(i: int, gate: str, at: dt.datetime) -> tuple[str, str | None, dict[str, Any]]:
    kind = i % 10
    if kind == 0:  # a visitor with a fever, refused
        subject = {"kind": "visitor", "approval_no": f"V-{i:07d}", "host_unit": HOSTILE}
        outcome, reasons, person = "reject", ["FEVER"], None
    elif kind == 1:  # a student without today's check-in
        subject = {"kind": "member", "person_no": f"S{i:07d}", "role": "student"}
        outcome, reasons, person = "reject", ["CHECKIN_MISSING"], f"S{i:07d}"
    elif kind == 2:  # a guard override
        subject = {"kind": "member", "person_no": f"T{i:07d}", "role": "staff"}
        outcome, reasons, person = "admit", [], f"T{i:07d}"
    else:
        subject = {"kind": "member", "person_no": f"S{i:07d}", "role": "student"}
        outcome, reasons, person = "admit", [], f"S{i:07d}"
    payload = {
        "transaction_id": uuid.UUID(int=i).hex,
        "at": at.isoformat(),
        "gate": gate,
        "direction": "in",
        "outcome": outcome,
        "reasons": reasons,
        "warnings": [],
        "subject": subject,
        "override": {"reason": "HOST_CONFIRMED_BY_PHONE", "by": "guard", "over": "ESCORT"}
        if kind == 2
        else None,
    }
    return outcome, person, payload


def gate_log(
    gate: str, n: int, *, start: dt.datetime = START, step: dt.timedelta | None = None
) -> Iterator[LogRecord]:
    """``n`` chained decision records of ``gate`` from ``start``, ``step`` apart (default: a
    day's worth spread evenly)."""
    step = step or dt.timedelta(seconds=86_400 / max(n, 1))
    prev = GENESIS_HASH
    for i in range(n):
        at = start + i * step
        outcome, person, payload = _payload(i, gate, at)
        record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{gate}/{i}"))
        digest = record_hash(
            prev,
            seq=i + 1,
            record_id=record_id,
            kind="decision",
            at=at,
            gate=gate,
            outcome=outcome,
            person_no=person,
            payload=payload,
        )
        yield LogRecord(
            i + 1, record_id, "decision", at, gate, outcome, person, payload, prev, digest
        )
        prev = digest
