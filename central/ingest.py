"""Decision ingest: store each gate's log records exactly once and check its hash chain.

A batch is checked and stored in one transaction that holds the gate's row lock (PostgreSQL
``SELECT … FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` serialises every writer), so two server
processes ingesting for one gate take turns and never fork its chain; the unique keys on
``record_id`` and (gate, ``seq``) stand behind the lock. Hashes are recomputed with
:func:`kiosk.store.chain.record_hash`, the kiosk's own rule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import Connection, insert, select, update

from central.models import ChainBreakRow, DecisionRow, GateRow, table
from kiosk.store.chain import GENESIS_HASH, iso_utc, record_hash
from kiosk.store.schemas import first_error

DECISIONS = table(DecisionRow)
BREAKS = table(ChainBreakRow)
GATES = table(GateRow)
MAX_BATCH = 1000
Status = Literal["accepted", "duplicate", "rejected"]
HASH_PATTERN = r"^[0-9a-f]{64}$"
_WALK = 5000
_STORED_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
"""How payloads are stored (the web search matches their ``"key": "value"`` text)."""


class WireRecord(BaseModel):
    """One log record as a gate sends it (``LogRecord.as_dict()``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1)
    record_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=32)
    at: dt.datetime
    gate: str = Field(min_length=1, max_length=32)
    outcome: str | None = Field(default=None, max_length=32)
    person_no: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any]
    prev_hash: str = Field(pattern=HASH_PATTERN)
    hash: str = Field(pattern=HASH_PATTERN)


@dataclass(frozen=True)
class ItemResult:
    """The answer for one record."""

    record_id: str
    seq: int | None
    status: Status
    reason: str | None = None
    message: str | None = None
    breaks: WireRecord | None = field(default=None, compare=False, repr=False)
    """The refused record, when it is kept as a chain break for the admin."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``reason``/``message`` only for a rejection)."""
        out: dict[str, Any] = {"record_id": self.record_id, "seq": self.seq, "status": self.status}
        if self.status == "rejected":
            out["reason"], out["message"] = self.reason, self.message
        return out


@dataclass(frozen=True)
class ChainState:
    """A gate's chain as the server holds it."""

    status: str  # empty | ok | gaps | broken
    received: int
    contiguous_to: int
    last_hash: str | None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "status": self.status,
            "received": self.received,
            "contiguous_to": self.contiguous_to,
            "last_hash": self.last_hash,
            "problems": self.problems,
        }


@dataclass
class _Held:
    record_id: str
    prev_hash: str
    hash: str


_BATCH = TypeAdapter(list[WireRecord])


def parse_records(items: Sequence[Any], gate_name: str) -> list[WireRecord | ItemResult]:
    """Each item as a record of ``gate_name`` whose content matches its hash, or the
    rejection saying what is wrong with it (a malformed field, another gate, a hash mismatch).

    A batch without a malformed item is validated in one call; otherwise item by item, so
    each malformed one gets its own rejection. The hashes are recomputed here, before the
    write transaction, so the gate's lock is held only for the checks that need what the
    server holds."""
    try:
        records: list[WireRecord | ItemResult] = list(_BATCH.validate_python(items))
    except ValidationError:
        records = _parse_each(items)
    else:
        if not all(isinstance(r, WireRecord) and r.at.tzinfo is not None for r in records):
            records = _parse_each(items)
    return [_check_content(r, gate_name) if isinstance(r, WireRecord) else r for r in records]


def _parse_each(items: Sequence[Any]) -> list[WireRecord | ItemResult]:
    out: list[WireRecord | ItemResult] = []
    for item in items:
        try:
            record = WireRecord.model_validate(item)
            if record.at.tzinfo is None:
                raise ValueError("at: expected a time with a UTC offset")
            out.append(record)
        except ValidationError as exc:
            rid = item.get("record_id") if isinstance(item, Mapping) else None
            seq = item.get("seq") if isinstance(item, Mapping) else None
            out.append(
                ItemResult(
                    str(rid)[:64] if rid is not None else "",
                    seq if isinstance(seq, int) else None,
                    "rejected",
                    "malformed",
                    first_error(exc),
                )
            )
        except ValueError as exc:
            out.append(
                ItemResult(item["record_id"], item["seq"], "rejected", "malformed", str(exc))
            )
    return out


def ingest(
    conn: Connection,
    gate_id: int,
    items: Sequence[WireRecord | ItemResult],
    now: dt.datetime,
    backlog: int | None = None,
) -> tuple[list[ItemResult], ChainState]:
    """Check a batch from :func:`parse_records` against what the server holds for one gate,
    and store it, inside the caller's write transaction."""
    conn.execute(select(GATES.c.id).where(GATES.c.id == gate_id).with_for_update())
    records = [r for r in items if isinstance(r, WireRecord)]
    held = _held(conn, gate_id, records)
    ids = _held_ids(conn, [r.record_id for r in records])
    results: list[ItemResult] = []
    new_rows: list[dict[str, Any]] = []
    breaks: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, ItemResult):
            results.append(item)
            if item.breaks is not None:
                breaks.append(_break(item.breaks, gate_id, item, now))
            continue
        result = _check(item, held, ids)
        results.append(result)
        if result.status == "accepted":
            held[item.seq] = _Held(item.record_id, item.prev_hash, item.hash)
            ids[item.record_id] = item.hash
            new_rows.append(_row(item, gate_id, now))
        elif result.breaks is not None:
            breaks.append(_break(item, gate_id, result, now))
    if new_rows:
        conn.execute(insert(DECISIONS), new_rows)
    for row in breaks:
        seen = select(BREAKS.c.id).where(
            BREAKS.c.gate_id == gate_id,
            BREAKS.c.record_id == row["record_id"],
            BREAKS.c.reason == row["reason"],
        )
        if conn.scalar(seen) is None:
            conn.execute(insert(BREAKS).values(**row))
    state = refresh_chain(conn, gate_id, {row["seq"]: row["hash"] for row in new_rows})
    values: dict[str, Any] = {"last_contact_at": now}
    if backlog is not None:
        values["backlog"] = backlog
    conn.execute(update(GATES).where(GATES.c.id == gate_id).values(**values))
    return results, state


def _check_content(record: WireRecord, gate_name: str) -> WireRecord | ItemResult:
    def reject(reason: str, message: str, breaks: WireRecord | None = None) -> ItemResult:
        return ItemResult(record.record_id, record.seq, "rejected", reason, message, breaks)

    if record.gate != gate_name:
        return reject("wrong_gate", f"record {record.seq} is from gate {record.gate!r}")
    computed = record_hash(
        record.prev_hash,
        seq=record.seq,
        record_id=record.record_id,
        kind=record.kind,
        at=record.at,
        gate=record.gate,
        outcome=record.outcome,
        person_no=record.person_no,
        payload=record.payload,
    )
    if computed != record.hash:
        message = f"record {record.seq}: content does not match its hash"
        return reject("hash_mismatch", message, record)
    return record


def _check(record: WireRecord, held: dict[int, _Held], ids: dict[str, str]) -> ItemResult:
    def reject(reason: str, message: str) -> ItemResult:
        return ItemResult(record.record_id, record.seq, "rejected", reason, message, record)

    if record.record_id in ids:
        if ids[record.record_id] == record.hash:
            return ItemResult(record.record_id, record.seq, "duplicate")
        return reject("conflict", f"record_id {record.record_id} is held with other content")
    if record.seq in held:
        return reject(
            "conflict", f"record {record.seq}: the server holds another record with this number"
        )
    before, after = held.get(record.seq - 1), held.get(record.seq + 1)
    if record.seq == 1 and record.prev_hash != GENESIS_HASH:
        return reject("chain_break", "record 1 does not start from the genesis hash")
    if before is not None and before.hash != record.prev_hash:
        return reject(
            "chain_break",
            f"record {record.seq} does not follow record {record.seq - 1} held by the server",
        )
    if after is not None and after.prev_hash != record.hash:
        return reject(
            "chain_break",
            f"record {record.seq + 1} held by the server does not follow record {record.seq}",
        )
    return ItemResult(record.record_id, record.seq, "accepted")


def _held(conn: Connection, gate_id: int, records: list[WireRecord]) -> dict[int, _Held]:
    if not records:
        return {}
    low = min(r.seq for r in records) - 1
    high = max(r.seq for r in records) + 1
    stmt = select(
        DECISIONS.c.seq, DECISIONS.c.record_id, DECISIONS.c.prev_hash, DECISIONS.c.hash
    ).where(DECISIONS.c.gate_id == gate_id, DECISIONS.c.seq.between(low, high))
    return {r.seq: _Held(r.record_id, r.prev_hash, r.hash) for r in conn.execute(stmt)}


def _held_ids(conn: Connection, record_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i in range(0, len(record_ids), 500):
        chunk = record_ids[i : i + 500]
        stmt = select(DECISIONS.c.record_id, DECISIONS.c.hash).where(
            DECISIONS.c.record_id.in_(chunk)
        )
        found.update({r.record_id: r.hash for r in conn.execute(stmt)})
    return found


def _row(record: WireRecord, gate_id: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "gate_id": gate_id,
        "seq": record.seq,
        "record_id": record.record_id,
        "kind": record.kind,
        "at": record.at,
        "gate": record.gate,
        "outcome": record.outcome,
        "person_no": record.person_no,
        "payload": _STORED_JSON.encode(record.payload),
        "prev_hash": record.prev_hash,
        "hash": record.hash,
        "received_at": now,
    }


def _break(record: WireRecord, gate_id: int, result: ItemResult, now: dt.datetime) -> dict:
    body = record.model_dump(mode="json")
    body["at"] = iso_utc(record.at)
    return {
        "gate_id": gate_id,
        "seq": record.seq,
        "record_id": record.record_id,
        "reason": result.reason,
        "message": result.message,
        "record": json.dumps(body, ensure_ascii=False, sort_keys=True),
        "at": now,
    }


def refresh_chain(conn: Connection, gate_id: int, added: Mapping[int, str]) -> ChainState:
    """Bring the gate's chain summary up to date after ``added`` (the records just stored,
    sequence number to hash) and save it on its row.

    The server never deletes or renumbers a record, so the summary moves on from the saved
    one: ``received`` grows by the records added, and the contiguous run goes on from where it
    ended, through the added records in memory, then through any held beyond them. Only a
    record below the run's end (one that arrived after later ones, before the first held)
    starts the walk again from the lowest record held."""
    gate = conn.execute(
        select(GATES.c.received, GATES.c.contiguous_to, GATES.c.last_hash).where(
            GATES.c.id == gate_id
        )
    ).one()
    received = int(gate.received) + len(added)
    contiguous, last_hash = int(gate.contiguous_to), gate.last_hash
    held = DECISIONS.c.gate_id == gate_id
    first = conn.scalar(select(DECISIONS.c.seq).where(held).order_by(DECISIONS.c.seq).limit(1))
    if first is not None and (contiguous < first or min(added, default=first) <= contiguous):
        contiguous, last_hash = int(first) - 1, None  # an earlier record arrived late
    while contiguous + 1 in added:
        contiguous += 1
        last_hash = added[contiguous]
    while True:
        stmt = (
            select(DECISIONS.c.seq, DECISIONS.c.hash)
            .where(held, DECISIONS.c.seq > contiguous)
            .order_by(DECISIONS.c.seq)
            .limit(_WALK)
        )
        rows = conn.execute(stmt).all()
        for row in rows:
            if row.seq != contiguous + 1:
                break
            contiguous, last_hash = row.seq, row.hash
        else:
            if len(rows) == _WALK:
                continue
        break
    top = conn.scalar(select(DECISIONS.c.seq).where(held).order_by(DECISIONS.c.seq.desc()).limit(1))
    problems = [
        r.message
        for r in conn.execute(
            select(BREAKS.c.seq, BREAKS.c.message)
            .where(BREAKS.c.gate_id == gate_id)
            .order_by(BREAKS.c.seq)
            .limit(100)
        )
    ]
    if problems:
        status = "broken"
    elif received == 0:
        status = "empty"
    elif top is not None and int(top) > contiguous:
        status = "gaps"
        problems = [f"records after {contiguous} not all received (highest {int(top)})"]
    else:
        status = "ok"
    conn.execute(
        update(GATES)
        .where(GATES.c.id == gate_id)
        .values(
            chain_status=status, received=received, contiguous_to=contiguous, last_hash=last_hash
        )
    )
    return ChainState(status, received, contiguous, last_hash, problems)
