"""Upload with the next batch claimed while the server works on the one in flight, and sent
before the answered one is settled: a failed batch is retried later, the batch claimed behind
it goes back untouched, a failure while settling leaves nothing in flight, nothing is lost or
stored twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from kiosk.sync.http import Refused
from kiosk.sync.push import FAR_FUTURE, push
from tests.support.backlog import fill_log
from tests.support.central_server import CentralServer
from tests.support.fault_proxy import FaultProxy
from tests.support.sync_checks import server_log_ids
from tests.sync.conftest import enrolled_gate


def test_a_failed_batch_releases_the_one_claimed_behind_it(
    tmp_path: Path, central: CentralServer, proxy: FaultProxy
) -> None:
    gate = enrolled_gate(tmp_path, central, proxy.url)
    outbox = gate.store.outbox
    try:
        fill_log(gate.store, 2500)
        proxy.inject("status", status=422, path_prefix="/api/v1/decisions")
        with pytest.raises(Refused):
            push(gate.worker.client, outbox, batch_size=1000)
        assert outbox.counts()["pending"] == 2500
        items = outbox.claim_batch(5000, now=FAR_FUTURE)
        attempts = Counter(item.attempts for item in items)
        assert attempts == {1: 1000, 0: 1500}  # the failed batch counted, the claimed one not
        assert all(i.attempts == 1 for i in items[:1000])
        outbox.release([item.id for item in items])

        result = push(gate.worker.client, outbox, batch_size=1000, now_due=True)
        assert (result.sent, result.batches, result.chain) == (2500, 3, "ok")
        held = Counter(server_log_ids(central, gate.store.gate))
        logged = {r.record_id for r in gate.store.log.records()}
        assert set(held) == logged and set(held.values()) == {1}
        assert outbox.counts()["sent"] == 2500
    finally:
        gate.close()


def test_max_batches_claims_no_batch_it_will_not_send(
    tmp_path: Path, central: CentralServer, proxy: FaultProxy
) -> None:
    gate = enrolled_gate(tmp_path, central, proxy.url)
    outbox = gate.store.outbox
    try:
        fill_log(gate.store, 300)
        result = push(gate.worker.client, outbox, batch_size=100, max_batches=2)
        assert (result.sent, result.batches) == (200, 2)
        assert outbox.counts() == {"pending": 100, "inflight": 0, "sent": 200, "rejected": 0}
        assert push(gate.worker.client, outbox, batch_size=100, max_batches=0).batches == 0
    finally:
        gate.close()


def test_the_next_batch_goes_out_before_this_one_is_settled_and_nothing_is_left_in_flight(
    tmp_path: Path, central: CentralServer, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = enrolled_gate(tmp_path, central, proxy.url)
    outbox = gate.store.outbox
    overlapped: list[bool] = []

    def ack_fails(ids: Sequence[int], at: object = None) -> int:
        # the server answers the second batch while the first is still being settled
        overlapped.append(proxy.wait_answered("/api/v1/decisions", 2, timeout_s=20.0))
        raise OSError("disk full")

    try:
        fill_log(gate.store, 2500)
        with monkeypatch.context() as patch:
            patch.setattr(outbox, "ack", ack_fails)
            with pytest.raises(OSError, match="disk full"):
                push(gate.worker.client, outbox, batch_size=1000)
        assert overlapped == [True]
        assert outbox.counts() == {"pending": 2500, "inflight": 0, "sent": 0, "rejected": 0}
        assert len(server_log_ids(central, gate.store.gate)) == 2000

        result = push(gate.worker.client, outbox, batch_size=1000, now_due=True)
        assert (result.sent, result.duplicates, result.chain) == (2500, 2000, "ok")
        held = Counter(server_log_ids(central, gate.store.gate))
        assert set(held) == {r.record_id for r in gate.store.log.records()}
        assert set(held.values()) == {1}
    finally:
        gate.close()
