"""Decision ingest: exactly once, idempotent replays, chain checks with the kiosk's rules."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection

from central import admin, ingest, logs
from central.context import Central
from kiosk.store.chain import record_hash
from kiosk.store.db import migrate, open_engine, write_connection
from kiosk.store.log import DecisionLog

T0 = dt.datetime(2022, 1, 20, 1, 0, tzinfo=dt.UTC)


def kiosk_log(path: Path, gate: str, n: int) -> list[dict[str, Any]]:
    """``n`` records appended by a real kiosk log, as the gate uploads them."""
    engine = open_engine(f"sqlite:///{path}")
    migrate(engine)
    log = DecisionLog(engine, gate=gate)
    for i in range(n):
        log.append(
            "decision",
            T0 + dt.timedelta(seconds=i),
            {"reasons": ["FEVER"] if i % 3 else [], "temperature": 36.5 + i / 100},
            gate=gate,
            outcome="reject" if i % 3 else "admit",
            person_no=f"S{i:04d}",
        )
    records = [r.as_dict() for r in log.records(T0, T0 + dt.timedelta(days=1))]
    engine.dispose()
    return records


def push(central: Central, gate: str, items: list[Any], backlog: int | None = None):
    gid = admin.gate_id(central, gate)
    parsed = ingest.parse_records(items, gate)
    conn: Connection
    with write_connection(central.engine) as conn, conn.begin():
        return ingest.ingest(conn, gid, parsed, central.now(), backlog)


def statuses(results: list[ingest.ItemResult]) -> list[str]:
    return [r.reason or r.status for r in results]


def rehash(record: dict[str, Any]) -> dict[str, Any]:
    """A record edited consistently: its hash recomputed over the new content."""
    at = dt.datetime.fromisoformat(record["at"])
    fields = {k: record[k] for k in ("seq", "record_id", "kind", "gate", "outcome", "person_no")}
    h = record_hash(record["prev_hash"], at=at, payload=record["payload"], **fields)
    return {**record, "hash": h}


@pytest.fixture
def records(tmp_path: Path) -> list[dict[str, Any]]:
    return kiosk_log(tmp_path / "kiosk.db", "north", 12)


@pytest.fixture
def north(central: Central) -> Central:
    admin.add_gate(central, "north", "t")
    return central


def test_a_batch_is_stored_once_and_a_replay_changes_nothing(
    north: Central, records: list[dict[str, Any]]
) -> None:
    results, chain = push(north, "north", records, backlog=0)
    assert statuses(results) == ["accepted"] * 12
    assert chain.as_dict() == {
        "status": "ok",
        "received": 12,
        "contiguous_to": 12,
        "last_hash": records[-1]["hash"],
        "problems": [],
    }
    again, chain_again = push(north, "north", records)
    assert statuses(again) == ["duplicate"] * 12
    assert chain_again == chain
    assert admin.decision_count(north) == 12
    stored = logs.query(north, logs.LogQuery(gate="north"), "t")
    assert [r.as_dict() for r in stored] == records  # original times, seqs and hashes kept
    assert logs.verify_gate(north, "north")["ok"]


def test_records_may_arrive_out_of_order_and_gaps_are_reported(
    north: Central, records: list[dict[str, Any]]
) -> None:
    _, chain = push(north, "north", records[6:] + records[:3])
    assert (chain.status, chain.contiguous_to) == ("gaps", 3)
    assert chain.problems == ["records after 3 not all received (highest 12)"]
    _, chain = push(north, "north", records[3:6])
    assert (chain.status, chain.contiguous_to, chain.received) == ("ok", 12, 12)


def test_records_older_than_every_held_one_extend_the_chain_backwards(
    north: Central, records: list[dict[str, Any]]
) -> None:
    _, chain = push(north, "north", records[5:])
    assert (chain.status, chain.received, chain.contiguous_to) == ("ok", 7, 12)
    _, chain = push(north, "north", records[2:4])
    assert (chain.status, chain.received, chain.contiguous_to) == ("gaps", 9, 4)
    assert chain.last_hash == records[3]["hash"]
    _, chain = push(north, "north", [records[4], *records[:2]])
    assert (chain.status, chain.received, chain.contiguous_to) == ("ok", 12, 12)
    assert chain.last_hash == records[-1]["hash"]
    assert admin.gate_statuses(north)[0]["received"] == admin.decision_count(north) == 12


def test_an_edited_record_is_rejected_and_the_break_kept(
    north: Central, records: list[dict[str, Any]]
) -> None:
    edited = {**records[4], "outcome": "admit"}
    results, chain = push(north, "north", [*records[:4], edited])
    assert statuses(results) == ["accepted"] * 4 + ["hash_mismatch"]
    assert chain.status == "broken"
    assert chain.problems == ["record 5: content does not match its hash"]
    assert admin.gate_statuses(north)[0]["chain_status"] == "broken"


def test_a_consistently_rewritten_record_breaks_the_link_to_its_neighbours(
    north: Central, records: list[dict[str, Any]]
) -> None:
    push(north, "north", records[:4] + records[5:])
    forged = rehash({**records[4], "outcome": "admit"})
    (result,), chain = push(north, "north", [forged])
    assert (result.status, result.reason) == ("rejected", "chain_break")
    assert "record 6 held by the server does not follow record 5" in (result.message or "")
    assert chain.status == "broken"


def test_a_fork_with_the_same_number_is_refused(
    north: Central, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    push(north, "north", records)
    other = kiosk_log(tmp_path / "other.db", "north", 3)  # another chain for the same gate
    results, chain = push(north, "north", other)
    assert statuses(results) == ["conflict", "conflict", "conflict"]
    assert chain.status == "broken"


def test_a_reused_record_id_with_other_content_is_a_conflict(
    north: Central, records: list[dict[str, Any]]
) -> None:
    push(north, "north", records[:2])
    changed = rehash({**records[1], "seq": 3, "prev_hash": records[1]["hash"]})
    (result,), _ = push(north, "north", [changed])
    assert result.reason == "conflict"


def test_another_gates_record_and_malformed_items_are_refused_one_by_one(
    north: Central, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    admin.add_gate(north, "south", "t")
    south = kiosk_log(tmp_path / "south.db", "south", 1)
    naive = {**records[1], "at": "2022-01-20T01:00:01"}
    items = [records[0], south[0], {"seq": "x"}, naive, "not an object", records[1]]
    results, chain = push(north, "north", items)
    assert statuses(results) == [
        "accepted",
        "wrong_gate",
        "malformed",
        "malformed",
        "malformed",
        "accepted",
    ]
    assert results[2].message and results[2].message.startswith("seq:")
    assert chain.status == "ok"


def test_the_first_record_must_start_from_genesis(north: Central, records: list[dict[str, Any]]):
    forged = rehash({**records[0], "prev_hash": "1" * 64})
    (result,), _ = push(north, "north", [forged])
    assert result.reason == "chain_break"


def test_the_gate_status_shows_contact_backlog_and_chain(
    north: Central, records: list[dict[str, Any]]
) -> None:
    push(north, "north", records[:5], backlog=7)
    (status,) = admin.gate_statuses(north)
    assert status["backlog"] == 7 and status["received"] == 5
    assert status["last_contact_at"] is not None and status["chain_status"] == "ok"


def test_a_server_side_edit_is_found_by_verify(
    north: Central, records: list[dict[str, Any]]
) -> None:
    push(north, "north", records)
    with write_connection(north.engine) as conn, conn.begin():
        conn.execute(
            ingest.DECISIONS.update()
            .where(ingest.DECISIONS.c.seq == 7)
            .values(outcome="admit" if records[6]["outcome"] != "admit" else "reject")
        )
    report = logs.verify_gate(north, "north")
    assert not report["ok"] and report["problems"] == [
        "record 7: edited (content does not match its hash)"
    ]


def test_log_export_is_spreadsheet_safe_and_audited(
    north: Central, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    risky = rehash({**records[0], "payload": {"note": '=HYPERLINK("http://x")'}})
    push(north, "north", [risky])
    out = io.StringIO()
    assert logs.export_csv(north, logs.LogQuery(), out, "auditor") == 1
    assert "'=HYPERLINK" in out.getvalue()
    assert admin.audit_trail(north, 1)[0]["action"] == "log_export"


def test_personal_data_of_past_visits_is_erased_and_masks_stay(central: Central) -> None:
    from central import workflow

    form = {
        "name": "王芳",
        "id_number": "410105199001011234",
        "origin_region": "410105",
        "host_unit": "Physics",
        "host_person_no": "T1001",
        "visit_date": "2022-01-10",
    }
    number = workflow.file_visit(central, form, "clerk")["approval_no"]
    assert workflow.erase_personal_data(central, retention_days=30) == 1
    kept = workflow.filing(central, number, personal=True)
    assert (kept["name"], kept["id_number"]) == (None, None)
    assert (kept["name_masked"], kept["id_masked"]) == ("王*", "**************1234")
    assert workflow.erase_personal_data(central, retention_days=30) == 0
