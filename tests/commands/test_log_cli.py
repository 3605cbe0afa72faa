from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_kiosk_config
from kiosk.store import open_store

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text('[gate]\nid = "north"\n[paths]\ndata_dir = "var"\n', encoding="utf-8")
    store = open_store(load_kiosk_config(path))
    for day, hour in ((19, 23), (20, 0), (20, 23), (21, 0)):
        at = dt.datetime(2022, 1, day, hour, 30, tzinfo=CST)
        store.log.append(
            "decision",
            at,
            {"day": day, "hour": hour},
            gate="north",
            outcome="admit",
            person_no="T1001",
        )
    store.close()
    return path


def run(config: Path, *args: str) -> int:
    return main(["--config", str(config), "log", *args])


def test_verify_intact_then_tampered(config: Path, tmp_path: Path, capsys) -> None:
    assert run(config, "verify") == 0
    assert "log intact: 4 records checked" in capsys.readouterr().out
    conn = sqlite3.connect(tmp_path / "var" / "kiosk.db")
    conn.execute("update log_events set outcome = 'reject' where seq = 2")
    conn.commit()
    conn.close()
    assert run(config, "verify") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "record 2: edited (content does not match its hash)"
    assert out[-1].startswith("log NOT intact: 1 problems")


def test_export_uses_local_dates_inclusive_and_is_audited(config: Path, tmp_path: Path, capsys):
    out = tmp_path / "export.jsonl"
    args = ("export", "--from", "2022-01-20", "--to", "2022-01-20", "--format", "jsonl")
    assert run(config, *args, "--out", str(out)) == 0
    assert "exported 2 records" in capsys.readouterr().out
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["payload"]["day"], r["payload"]["hour"]) for r in rows] == [(20, 0), (20, 23)]
    assert run(config, "export", "--from", "2022-01-19", "--to", "2022-01-21") == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("seq,record_id,kind,at,gate,outcome,person_no,day,hour")
    assert len(csv_lines) == 1 + 4
    assert run(config, "tail", "-n", "3") == 0
    tail = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in tail] == ["decision", "audit", "audit"]
    assert '"action": "export"' in tail[1] and '"format": "jsonl"' in tail[1]
    assert run(config, "verify") == 0


def test_purge_keeps_recent_unsent_and_drops_unsent_past_hard_max(config: Path, capsys) -> None:
    store = open_store(load_kiosk_config(config))
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    store.log.append("decision", recent, {"recent": True}, gate="north")
    store.close()
    assert run(config, "purge", "--retention-days", "1") == 0
    out = capsys.readouterr().out
    assert "purged 4 records (up to record 4)" in out  # the 2022 records: past 90 days
    assert "warning: 4 of them never reached the central server" in out
    assert run(config, "tail", "-n", "5") == 0
    tail = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in tail] == ["decision", "purge"]
    assert '"recent": true' in tail[0]  # the recent unsent record is kept
    assert run(config, "verify") == 0


def test_bad_date_is_a_usage_error(config: Path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        run(config, "export", "--from", "20-01-2022", "--to", "2022-01-21")
    assert info.value.code == 2
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err


def test_status_shows_uploads_and_every_rejected_record(config: Path, capsys) -> None:
    from kiosk.store.outbox import Outbox

    store = open_store(load_kiosk_config(config))
    outbox = Outbox(store.engine)
    items = outbox.claim_batch(10)
    outbox.ack([items[0].id])
    outbox.reject([items[2].id], "HTTP 422: unknown gate")
    store.close()
    assert run(config, "status") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "records: 4"
    assert out[1] == "uploads: 0 pending, 2 inflight, 1 sent, 1 rejected"
    assert out[2].startswith("rejected: record 3 (decision, 2022-01-20T23:30:00+08:00, ")
    assert out[2].endswith("): HTTP 422: unknown gate")
    assert "kept" in out[3]
    assert run(config, "requeue-rejected") == 0
    assert "1 rejected records queued" in capsys.readouterr().out
    run(config, "status")
    assert "0 rejected" in capsys.readouterr().out
