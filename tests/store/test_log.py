from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from kiosk.store.chain import GENESIS_HASH, canonical_json, hash_of, record_hash
from kiosk.store.log import DecisionLog
from kiosk.store.outbox import Outbox
from tests.store.conftest import NOW

D = dt.timedelta(days=1)


def fill(log: DecisionLog, n: int, start: dt.datetime = NOW, step: dt.timedelta = D) -> None:
    for i in range(n):
        log.append(
            "decision",
            start + i * step,
            {"reasons": ["FEVER"] if i % 3 == 0 else [], "temp_c": 36.5, "name": "王*", "i": i},
            gate="north",
            outcome="reject" if i % 3 == 0 else "admit",
            person_no=f"S{i}",
        )


def raw(db_path: Path, *statements: str) -> None:
    """Tamper with the file the way someone with a SQLite shell would."""
    conn = sqlite3.connect(db_path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def lines(log: DecisionLog) -> list[str]:
    return [p.detail for p in log.verify().problems]


def test_append_builds_a_verifiable_chain(decision_log: DecisionLog) -> None:
    first = decision_log.append(
        "decision", NOW, {"b": 1, "a": "王*"}, gate="north", outcome="admit", person_no="T1001"
    )
    second = decision_log.append("audit", NOW, {}, gate="north")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    assert first.hash == hash_of(first)
    assert first.at == NOW
    report = decision_log.verify()
    assert report.ok and report.checked == 2 and report.problems == []
    assert canonical_json({"b": 1, "a": "王*"}) == '{"a":"王*","b":1}'


def test_hash_covers_outcome_and_person(decision_log: DecisionLog) -> None:
    r = decision_log.append("decision", NOW, {}, gate="north", outcome="reject", person_no="S1")
    fields: dict[str, Any] = dict(
        seq=1,
        record_id=r.record_id,
        kind="decision",
        at=NOW,
        gate="north",
        person_no="S1",
        payload={},
    )
    assert record_hash(GENESIS_HASH, outcome="reject", **fields) == r.hash
    assert record_hash(GENESIS_HASH, outcome="admit", **fields) != r.hash


def test_edited_payload_is_named(decision_log, db_path) -> None:
    fill(decision_log, 30)
    raw(db_path, "update log_events set payload = replace(payload, '36.5', '36.4') where seq = 17")
    assert lines(decision_log) == ["record 17: edited (content does not match its hash)"]


def test_edited_outcome_is_named(decision_log, db_path) -> None:
    fill(decision_log, 10)
    raw(db_path, "update log_events set outcome = 'admit' where seq = 4")
    assert lines(decision_log) == ["record 4: edited (content does not match its hash)"]


def test_deleted_record_is_named(decision_log, db_path) -> None:
    fill(decision_log, 30)
    raw(db_path, "pragma foreign_keys=off", "delete from log_events where seq = 12")
    assert lines(decision_log) == [
        "record 12: deleted (record 13 links to a record that is missing)"
    ]


def test_deleted_tail_is_named(decision_log, db_path) -> None:
    fill(decision_log, 10)
    raw(db_path, "delete from outbox where seq >= 9", "delete from log_events where seq >= 9")
    assert lines(decision_log) == ["records 9–10: deleted (the log's recorded end is record 10)"]


def test_inserted_record_is_named(decision_log, db_path) -> None:
    fill(decision_log, 20)
    # A forger shifts records 8… up by one and slips in a record that links correctly to 7.
    conn = sqlite3.connect(db_path)
    conn.execute("update log_events set seq = -seq where seq >= 8")
    conn.execute("update log_events set seq = 1 - seq where seq < 0")
    prev = conn.execute("select hash from log_events where seq = 7").fetchone()[0]
    at = NOW + 7 * D
    forged = record_hash(
        prev,
        seq=8,
        record_id="forged",
        kind="decision",
        at=at,
        gate="north",
        outcome="admit",
        person_no="X",
        payload={},
    )
    conn.execute(
        "insert into log_events (seq, record_id, kind, at, gate, outcome, person_no, payload,"
        " prev_hash, hash) values (8, 'forged', 'decision', ?, 'north', 'admit', 'X', '{}', ?, ?)",
        (at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" "), prev, forged),
    )
    conn.commit()
    conn.close()
    assert lines(decision_log) == [
        "record 8: inserted (not part of the chain; record 9 already follows record 7)",
        "records 9–21: reordered (each numbered 1 after its place in the chain)",
    ]


def test_record_appended_behind_the_logs_back_is_named(decision_log, db_path) -> None:
    fill(decision_log, 5)
    last = decision_log.tail(1)[0]
    forged = record_hash(
        last.hash,
        seq=6,
        record_id="f",
        kind="decision",
        at=NOW,
        gate="north",
        outcome="admit",
        person_no=None,
        payload={},
    )
    raw(
        db_path,
        "insert into log_events values (6, 'f', 'decision', '2022-01-20 01:00:00.000000',"
        f" 'north', 'admit', NULL, '{{}}', '{last.hash}', '{forged}')",
    )
    assert lines(decision_log) == ["record 6: inserted (after the log's recorded end, record 5)"]


def test_swapped_records_are_named(decision_log, db_path) -> None:
    fill(decision_log, 10)
    raw(
        db_path,
        "pragma foreign_keys=off",
        "update log_events set seq = -1 where seq = 5",
        "update log_events set seq = 5 where seq = 6",
        "update log_events set seq = 6 where seq = -1",
    )
    assert lines(decision_log) == ["records 5 and 6: reordered (their numbers were swapped)"]


def test_several_tamperings_are_all_reported(decision_log, db_path) -> None:
    fill(decision_log, 40)
    raw(
        db_path,
        "pragma foreign_keys=off",
        "update log_events set gate = 'south' where seq = 3",
        "delete from log_events where seq in (20, 21)",
    )
    assert lines(decision_log) == [
        "record 3: edited (content does not match its hash)",
        "records 20–21: deleted (record 22 links to a record that is missing)",
    ]


def test_concurrent_appends_keep_one_valid_chain(decision_log) -> None:
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(25):
                decision_log.append("decision", NOW, {"t": k, "i": i}, gate=f"g{k}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,), name=f"append-{k}") for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = decision_log.verify()
    assert report.ok and report.checked == 100
    assert [r.seq for r in decision_log.records()] == list(range(1, 101))


def test_two_log_objects_on_one_file_share_the_chain(engine, decision_log) -> None:
    other = DecisionLog(engine, gate="north")
    decision_log.append("decision", NOW, {}, gate="north")
    other.append("audit", NOW, {}, gate="north")
    decision_log.append("decision", NOW, {}, gate="north")
    assert decision_log.verify().ok and decision_log.count() == 3


def test_purge_removes_old_sent_records_and_keeps_the_chain_verifiable(engine, decision_log):
    fill(decision_log, 60, start=NOW - 59 * D)  # one record a day, the newest today
    outbox = Outbox(engine)
    outbox.ack([item.id for item in outbox.claim_batch(1000, now=NOW)], at=NOW)
    result = decision_log.purge(NOW, retention_days=30)
    assert result.deleted == 29 and result.unsent_dropped == 0
    assert result.anchor is not None and result.anchor.seq == 29
    assert result.record is not None and result.record.kind == "purge"
    assert result.record.payload["anchor_seq"] == 29
    report = decision_log.verify()
    assert report.ok, report.problems
    assert report.checked == 32  # 31 kept + the purge event
    # A second purge later on removes the first purge event too; still verifiable.
    outbox.ack([item.id for item in outbox.claim_batch(1000, now=NOW)], at=NOW)
    assert decision_log.purge(NOW + 10 * D, retention_days=30).deleted == 10
    assert decision_log.verify().ok
    assert decision_log.purge(NOW + 10 * D, retention_days=30).deleted == 0


def test_purge_keeps_unsent_records_until_the_hard_maximum(engine, decision_log) -> None:
    fill(decision_log, 100, start=NOW - 99 * D)
    outbox = Outbox(engine)
    items = outbox.claim_batch(1000, now=NOW)
    unsent = {item.record.seq for item in items if item.record.seq in (5, 40)}
    outbox.ack([i.id for i in items if i.record.seq not in unsent], at=NOW)
    result = decision_log.purge(NOW, retention_days=30, hard_max_days=90)
    # Record 5 is 95 days old: dropped (counted). Record 40 (60 days) is kept with all after it.
    assert (result.deleted, result.unsent_dropped) == (39, 1)
    kept = [r.seq for r in decision_log.records()]
    assert kept[0] == 40
    assert decision_log.verify().ok
    assert decision_log.tail(1)[0].payload["unsent_dropped"] == 1


def test_deleting_records_right_after_the_anchor_is_detected(engine, decision_log, db_path):
    fill(decision_log, 40, start=NOW - 39 * D)
    outbox = Outbox(engine)
    outbox.ack([item.id for item in outbox.claim_batch(1000, now=NOW)], at=NOW)
    decision_log.purge(NOW, retention_days=30)
    raw(db_path, "pragma foreign_keys=off", "delete from log_events where seq = 10")
    assert lines(decision_log) == [
        "record 10: deleted (record 11 links to a record that is missing)"
    ]


def test_outbox_claim_ack_fail_and_release(engine, decision_log) -> None:
    fill(decision_log, 5)
    outbox = Outbox(engine)
    first = outbox.claim_batch(3, now=NOW)
    assert [i.record.seq for i in first] == [1, 2, 3]
    assert first[0].record.payload["name"] == "王*"
    assert [i.record.seq for i in outbox.claim_batch(10, now=NOW)] == [4, 5]
    assert outbox.claim_batch(10, now=NOW) == []
    assert outbox.ack([first[0].id]) == 1
    assert outbox.ack([first[0].id]) == 0  # already sent
    assert outbox.fail([first[1].id], "HTTP 503", now=NOW) == 1
    assert outbox.claim_batch(10, now=NOW) == []  # backing off
    retry = outbox.claim_batch(10, now=NOW + dt.timedelta(seconds=3))
    assert [(i.record.seq, i.attempts) for i in retry] == [(2, 1)]
    assert outbox.fail([retry[0].id], "timeout", now=NOW) == 1
    assert outbox.claim_batch(10, now=NOW + dt.timedelta(seconds=3)) == []  # 4 s now
    assert outbox.counts() == {"pending": 1, "inflight": 3, "sent": 1, "rejected": 0}
    assert outbox.release_inflight() == 3
    assert outbox.counts() == {"pending": 4, "inflight": 0, "sent": 1, "rejected": 0}


def test_a_record_rejected_for_good_leaves_the_retry_loop_and_stays(engine, decision_log):
    fill(decision_log, 3)
    outbox = Outbox(engine)
    items = outbox.claim_batch(10, now=NOW)
    assert outbox.reject([items[1].id], "HTTP 422: payload schema v0 not accepted", now=NOW) == 1
    outbox.fail([items[0].id, items[2].id], "HTTP 503", now=NOW)
    outbox.release_inflight()
    later = NOW + dt.timedelta(days=1)
    assert [i.record.seq for i in outbox.claim_batch(10, now=later)] == [1, 3]
    assert outbox.counts() == {"pending": 0, "inflight": 2, "sent": 0, "rejected": 1}
    (gone,) = outbox.rejected()
    assert gone.record.seq == 2 and gone.error.startswith("HTTP 422")
    assert outbox.requeue_rejected() == 1
    assert [i.record.seq for i in outbox.claim_batch(10, now=later)] == [2]


def test_purge_keeps_a_rejected_record_like_an_unsent_one(engine, decision_log) -> None:
    fill(decision_log, 60, start=NOW - 59 * D)
    outbox = Outbox(engine)
    items = outbox.claim_batch(1000, now=NOW)
    outbox.ack([i.id for i in items if i.record.seq != 10], at=NOW)
    outbox.reject([i.id for i in items if i.record.seq == 10], "HTTP 422", now=NOW)
    result = decision_log.purge(NOW, retention_days=30, hard_max_days=90)
    assert (result.deleted, result.unsent_dropped) == (9, 0)
    assert [r.seq for r in decision_log.records()][0] == 10
    assert [i.record.seq for i in outbox.rejected()] == [10]
    assert decision_log.verify().ok


def test_export_jsonl_and_csv(decision_log) -> None:
    fill(decision_log, 4, step=dt.timedelta(hours=1))
    out = io.StringIO()
    n = decision_log.export(NOW, NOW + dt.timedelta(hours=2), "jsonl", out, at=NOW - D)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == 2 and [r["seq"] for r in rows] == [1, 2]
    assert rows[0]["payload"] == {"i": 0, "name": "王*", "reasons": ["FEVER"], "temp_c": 36.5}
    assert rows[0]["at"] == "2022-01-20T01:00:00.000000+00:00" and rows[0]["hash"]
    out = io.StringIO()
    assert decision_log.export(NOW, NOW + D, "csv", out, at=NOW - D) == 4
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(table[0])[:7] == ["seq", "record_id", "kind", "at", "gate", "outcome", "person_no"]
    assert table[0]["reasons"] == "FEVER" and table[1]["reasons"] == ""
    assert table[0]["temp_c"] == "36.5" and table[0]["outcome"] == "reject"
    assert table[0]["hash"] == rows[0]["hash"]
    audits = [r for r in decision_log.records() if r.kind == "audit"]
    assert [a.payload["format"] for a in audits] == ["jsonl", "csv"]
    assert [a.payload["records"] for a in audits] == [2, 4]
    assert decision_log.verify().ok


def test_append_refuses_naive_times_and_non_json(decision_log) -> None:
    with pytest.raises(ValueError, match="naive"):
        decision_log.append("decision", dt.datetime(2022, 1, 20), {}, gate="north")
    with pytest.raises(ValueError):
        decision_log.append("decision", NOW, {"t": float("nan")}, gate="north")
    assert decision_log.count() == 0
