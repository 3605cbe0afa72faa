"""The feed's JSON form of records and keys goes back to the same records and keys."""

from __future__ import annotations

import json

import pytest

from kiosk.store import wire
from kiosk.store.schemas import RecordError
from tests.store.test_registry import snapshot


def test_every_kind_survives_json_both_as_record_and_as_key() -> None:
    full = snapshot()
    seen = set()
    for kind in wire.KINDS:
        for record in getattr(full, kind):
            row = json.loads(json.dumps(wire.record_row(record)))
            assert wire.row_record(kind, row) == record
            key = json.loads(json.dumps(wire.key_row(kind, record)))
            assert wire.row_key(kind, key) == {n: getattr(record, n) for n in wire.KINDS[kind].key}
            seen.add(kind)
    assert seen == set(wire.KINDS)


def test_bytes_travel_as_hex_and_times_in_utc() -> None:
    key = snapshot().trust_keys[0]
    row = wire.record_row(key)
    assert row["kid"] == key.kid.hex()
    assert row["not_before"].endswith("+00:00")


@pytest.mark.parametrize(
    ("kind", "row", "message"),
    [
        ("people", {"person_no": "S1", "extra": 1}, "expected the key fields"),
        ("stay_approvals", {"person_no": "S1", "start": "20-01-2022"}, "stay_approvals.start"),
        ("trust_keys", {"kid": "zz"}, "trust_keys.kid"),
        ("risk_areas", {"region_code": "4101", "start": "2022-01-20T00:00:00"}, "no UTC offset"),
        ("parking_lots", {"plate": "x"}, "unknown registry kind"),
    ],
)
def test_a_bad_key_row_is_named(kind: str, row: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wire.row_key(kind, row)


def test_a_feed_row_with_a_raw_id_number_is_refused_without_a_key() -> None:
    row = {"person_no": "S1", "role": "student", "id_number": "410205199002023456"}
    with pytest.raises(RecordError, match="campus key"):
        wire.row_record("people", row)
