"""The hash chain of the decision log: canonical JSON and record hashes (pure functions).

``hash = SHA-256(prev_hash + canonical JSON of {seq, record_id, kind, at, gate, outcome,
person_no, payload})`` as lowercase hex; the first record's ``prev_hash`` is
:data:`GENESIS_HASH`. ``at`` is ISO-8601 in UTC with microseconds. The central server uses the
same functions to re-check what it receives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)  # what json.dumps builds for each call with these arguments, made once


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no whitespace, UTF-8 characters kept, no NaN."""
    return _CANONICAL.encode(value)


def iso_utc(at: dt.datetime) -> str:
    """``at`` in UTC as ISO-8601 with microseconds; naive datetimes are refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()} (give a time zone)")
    return at.astimezone(dt.UTC).isoformat("T", "microseconds")


@dataclass(frozen=True)
class LogRecord:
    """One record of the decision log as stored."""

    seq: int
    record_id: str
    kind: str
    at: dt.datetime
    gate: str
    outcome: str | None
    person_no: str | None
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        """Every field, with ``at`` as ISO-8601 UTC (the form exports and uploads use)."""
        return {
            "seq": self.seq,
            "record_id": self.record_id,
            "kind": self.kind,
            "at": iso_utc(self.at),
            "gate": self.gate,
            "outcome": self.outcome,
            "person_no": self.person_no,
            "payload": dict(self.payload),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def record_hash(
    prev_hash: str,
    *,
    seq: int,
    record_id: str,
    kind: str,
    at: dt.datetime,
    gate: str,
    outcome: str | None,
    person_no: str | None,
    payload: Mapping[str, Any],
) -> str:
    """The chain hash of one record given its predecessor's hash."""
    body = canonical_json(
        {
            "seq": seq,
            "record_id": record_id,
            "kind": kind,
            "at": iso_utc(at),
            "gate": gate,
            "outcome": outcome,
            "person_no": person_no,
            "payload": payload,
        }
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def hash_of(record: LogRecord, *, as_seq: int | None = None) -> str:
    """Recompute a stored record's hash (optionally as if it were numbered ``as_seq``)."""
    return record_hash(
        record.prev_hash,
        seq=record.seq if as_seq is None else as_seq,
        record_id=record.record_id,
        kind=record.kind,
        at=record.at,
        gate=record.gate,
        outcome=record.outcome,
        person_no=record.person_no,
        payload=record.payload,
    )
