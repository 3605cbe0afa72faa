"""Feed pages: the content hash is checked before any record is read; bad rows refuse the
whole page; snapshot pages merge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kiosk.core.registry import Person, Revocation
from kiosk.store.wire import key_row, record_row
from kiosk.sync.feed import PageError, content_hash, merge, parse_page

T = "2022-01-20T01:00:00.000000+00:00"
ALICE = Person("T1001", "staff", "李*", "a" * 64, "4101**********1234", "计算机学院")


def page(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cursor": None,
        "next_cursor": "c1",
        "snapshot": False,
        "complete": True,
        "replace": [],
        "upsert": {"people": [record_row(ALICE)]},
        "delete": {"revocations": [key_row("revocations", Revocation("campus_pass", "S1"))]},
        "server_time": T,
    }
    body.update(fields)
    body["content_hash"] = content_hash(body)
    return body


def test_a_page_becomes_its_change_set() -> None:
    parsed = parse_page(page())
    assert parsed.changes.upsert == {"people": [ALICE]}
    assert parsed.changes.delete == {"revocations": [{"kind": "campus_pass", "person_no": "S1"}]}
    assert parsed.next_cursor == "c1" and parsed.complete and not parsed.snapshot
    assert parsed.server_time == dt.datetime(2022, 1, 20, 1, tzinfo=dt.UTC)
    assert parsed.records == 2


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p["upsert"]["people"][0].update(role="student"),
        lambda p: p.update(complete=False),
        lambda p: p.pop("delete"),
        lambda p: p.update(content_hash="0" * 64),
        lambda p: p.pop("content_hash"),
    ],
)
def test_an_altered_page_is_refused(tamper: Any) -> None:
    body = page()
    tamper(body)
    with pytest.raises(PageError, match="content.hash|content_hash"):
        parse_page(body)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"upsert": {"people": [{"person_no": "T1"}]}}, r"people\[0\]"),
        ({"upsert": {"aliens": []}}, "unknown registry kind"),
        ({"delete": {"people": [{"name": "x"}]}}, r"people delete\[0\]"),
        ({"server_time": "noon"}, "server_time"),
        ({"next_cursor": ""}, "next_cursor"),
        ({"upsert": {"people": "everyone"}}, "must be a list"),
        ({"sources": {"checkins": "yesterday"}}, r"sources\.checkins"),
        ({"sources": {"checkins": "2022-01-20T01:00:00"}}, "no UTC offset"),
        ({"sources": {"chekins": T}}, "sources: unknown registry kind"),
        ({"sources": ["checkins"]}, "sources must be an object"),
    ],
)
def test_a_page_with_a_bad_part_is_refused_whole(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(PageError, match=message):
        parse_page(page(**fields))


def test_source_times_come_with_the_page() -> None:
    parsed = parse_page(page(sources={"checkins": "2022-01-19T22:00:00+00:00"}))
    assert parsed.sources == {"checkins": dt.datetime(2022, 1, 19, 22, tzinfo=dt.UTC)}
    assert parse_page(page()).sources == {}, "an older server says nothing: no source times"


def test_not_an_object() -> None:
    with pytest.raises(PageError, match="expected an object"):
        parse_page(["people"])


def test_snapshot_pages_merge() -> None:
    first = parse_page(page(snapshot=True, replace=["people"], delete={})).changes
    bob = Person("T1002", "staff", "周*", None, None, "后勤处")
    then = parse_page(page(snapshot=True, upsert={"people": [record_row(bob)]}, delete={}))
    merged = merge(first, then.changes)
    assert merged.replace == frozenset({"people"})
    assert merged.upsert["people"] == [ALICE, bob]
    with pytest.raises(PageError, match="only add"):
        merge(first, parse_page(page()).changes)


def test_a_bad_row_deep_in_a_page_is_named_by_index_and_field() -> None:
    rows = [record_row(Person(f"T{i}", "staff", "李*", f"{i:064x}", None, "")) for i in range(50)]
    rows[37]["id_hmac"] = "not hex"
    with pytest.raises(PageError, match=r"people\[37\]: id_hmac: expected an ID HMAC"):
        parse_page(page(upsert={"people": rows}))
    mixed: list[Any] = [*rows[:37], "T37", *rows[38:]]
    with pytest.raises(PageError, match=r"people\[37\] is not an object"):
        parse_page(page(upsert={"people": mixed}))
