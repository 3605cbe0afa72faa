"""Campus-pass nonces are bound to one transaction until the pass expires."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.credentials.replay import ReplayGuard

from .conftest import NOW

SEC = dt.timedelta(seconds=1)


def test_same_transaction_may_rescan_other_transaction_is_refused() -> None:
    guard = ReplayGuard()
    nonce = b"\x01" * 16
    assert guard.check(nonce, "tx-1", NOW)
    guard.record(nonce, "tx-1", NOW + 60 * SEC)
    assert guard.check(nonce, "tx-1", NOW + 5 * SEC)
    assert not guard.check(nonce, "tx-2", NOW + 5 * SEC)
    assert guard.check(b"\x02" * 16, "tx-2", NOW + 5 * SEC)


def test_first_binding_wins() -> None:
    guard = ReplayGuard()
    guard.record(b"n", "tx-1", NOW + 60 * SEC)
    guard.record(b"n", "tx-2", NOW + 120 * SEC)
    assert guard.check(b"n", "tx-1", NOW)
    assert not guard.check(b"n", "tx-2", NOW)


def test_usable_again_after_expiry_and_purged() -> None:
    guard = ReplayGuard()
    guard.record(b"n", "tx-1", NOW + 60 * SEC)
    guard.record(b"m", "tx-1", NOW + 600 * SEC)
    assert not guard.check(b"n", "tx-2", NOW + 60 * SEC)  # bound still includes expires_at
    assert guard.check(b"n", "tx-2", NOW + 61 * SEC)
    assert len(guard) == 1


def test_memory_is_bounded_dropping_soonest_expiring() -> None:
    guard = ReplayGuard(max_entries=100)
    for i in range(1000):
        guard.record(i.to_bytes(16, "big"), f"tx-{i}", NOW + (1000 - i) * SEC)
    assert len(guard) == 100
    # the 100 kept are the ones expiring last: nonces 0..99
    assert not guard.check((0).to_bytes(16, "big"), "other", NOW)
    assert not guard.check((99).to_bytes(16, "big"), "other", NOW)
    assert guard.check((100).to_bytes(16, "big"), "other", NOW)
    assert len(guard._expiry) <= 2 * len(guard) + 64


def test_extending_a_binding_in_the_same_transaction() -> None:
    guard = ReplayGuard(max_entries=10)
    for i in range(200):
        guard.record(b"n", "tx-1", NOW + i * SEC)
    assert len(guard) == 1 and len(guard._expiry) <= 2 + 64
    assert not guard.check(b"n", "tx-2", NOW + 150 * SEC)


def test_rejects_silly_capacity() -> None:
    with pytest.raises(ValueError):
        ReplayGuard(max_entries=0)
