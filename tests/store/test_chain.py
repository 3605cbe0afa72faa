"""The chain's hash rule is a wire contract: gates and the server must agree to the bit."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk.store.chain import GENESIS_HASH, canonical_json, record_hash

CST = dt.timezone(dt.timedelta(hours=8))


def test_a_record_hash_is_the_documented_one() -> None:
    # Computed once with the rule as docs/store.md states it; a change here breaks every chain.
    digest = record_hash(
        GENESIS_HASH,
        seq=7,
        record_id="5f0c2a9e-1d7b-4c1e-9a53-0b7e8d6f4a21",
        kind="decision",
        at=dt.datetime(2022, 1, 20, 9, 30, 15, 123456, tzinfo=CST),
        gate="north",
        outcome="reject",
        person_no="S0001",
        payload={
            "reasons": ["FEVER"],
            "temperature": 37.8,
            "subject": {"name_masked": "王*", "role": "student"},
            "note": 'a"b\\c\n',
            "n": None,
            "big": 12345678901234567890,
            "tiny": 1e-07,
        },
    )
    assert digest == "cda8eb1328c9b724d4920c0cceeb2598514ee0f2fce996a7d76960896e33af5d"


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1.5, -0.0, 1e16, None, True], "中": "王*\u2028"},
        {"nested": {"z": {"y": [{"b": 2, "a": 1}]}}, "empty": {}, "list": []},
        ["x", 3, 2.5e-308],
        "plain",
    ],
)
def test_canonical_json_is_sorted_compact_and_keeps_characters(value: object) -> None:
    expected = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    assert canonical_json(value) == expected


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"t": float("nan")})
