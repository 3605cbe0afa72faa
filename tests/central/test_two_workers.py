"""Two server worker processes ingesting for one gate at once never fork or break its chain."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from central import logs
from tests.central.test_ingest import kiosk_log
from tests.support.central_server import CentralServer


@pytest.fixture
def two_workers(tmp_path: Path, db_url: str | None) -> Iterator[CentralServer]:
    server = CentralServer(tmp_path / "central", db_url=db_url, workers=2)
    try:
        yield server.start()
    finally:
        server.close()


def _post(server: CentralServer, token: str, batch: list[dict[str, Any]]) -> dict[str, Any]:
    for _ in range(50):
        answer = requests.post(
            server.url + "/api/v1/decisions",
            json={"records": batch},
            headers=server.auth(token),
            timeout=60,
        )
        if answer.status_code in (429, 503):
            continue
        assert answer.status_code == 200, answer.text
        return dict(answer.json())
    raise AssertionError("the server stayed busy")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_concurrent_overlapping_batches_store_each_record_once(
    two_workers: CentralServer, tmp_path: Path
) -> None:
    token = two_workers.add_gate("north")
    records = kiosk_log(tmp_path / "kiosk.db", "north", 300)
    rng = random.Random(8)
    batches = []
    for _ in range(24):  # overlapping, shuffled slices: many records sent several times
        start = rng.randrange(0, 280)
        batch = records[start : start + rng.randrange(10, 60)]
        batches.append(rng.sample(batch, len(batch)))
    batches.append(records)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda b: _post(two_workers, token, b), batches))
    accepted = [r["record_id"] for a in answers for r in a["results"] if r["status"] == "accepted"]
    assert sorted(accepted) == sorted(r["record_id"] for r in records)  # each exactly once
    assert all(r["status"] != "rejected" for a in answers for r in a["results"])
    report = logs.verify_gate(two_workers.central, "north")
    assert report == {
        "gate": "north",
        "ok": True,
        "checked": 300,
        "first": 1,
        "last": 300,
        "problems": [],
    }


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_two_chains_racing_for_one_gate_leave_one_chain_stored(
    two_workers: CentralServer, tmp_path: Path
) -> None:
    token = two_workers.add_gate("north")
    first = kiosk_log(tmp_path / "a.db", "north", 80)
    second = kiosk_log(tmp_path / "b.db", "north", 80)
    batches = [first[i : i + 10] for i in range(0, 80, 10)]
    batches += [second[i : i + 10] for i in range(0, 80, 10)]
    random.Random(3).shuffle(batches)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda b: _post(two_workers, token, b), batches))
    stored = logs.query(two_workers.central, logs.LogQuery(gate="north"), "t")
    assert len({r.seq for r in stored}) == len(stored)  # one record per number
    statuses = requests.get(
        two_workers.url + "/api/v1/admin/gates",
        headers=two_workers.auth(two_workers.admin_token),
        timeout=10,
    ).json()
    assert statuses[0]["chain_status"] == "broken"  # the fork is reported, not absorbed
    # what was stored links up wherever neighbours are both present
    by_seq = {r.seq: r for r in stored}
    for seq, record in by_seq.items():
        if seq - 1 in by_seq:
            assert record.prev_hash == by_seq[seq - 1].hash
