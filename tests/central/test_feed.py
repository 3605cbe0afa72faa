"""The registry feed: snapshots, incremental pages, deletions, content hashes, old cursors.

Pages are applied to a real kiosk store with its own ``RegistryWriter.apply``; the kiosk's
registry must end equal to the server's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from central import admin, feed, registry
from central.context import Central
from central.db import get_meta
from kiosk.store import wire
from kiosk.store.db import read_connection, write_connection
from tests.central.feed_client import KioskRegistry

ID = "410205199002023456"


def _people(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"person_no": f"S{start + i:05d}", "role": "student", "name": "张三", "unit": "CS"}
        for i in range(n)
    ]


def _page(central: Central, cursor: str | None, limit: int = 2000) -> dict[str, Any]:
    with read_connection(central.engine) as conn:
        return feed.page(conn, cursor, limit, central.now())


def _sync(central: Central, kiosk: KioskRegistry, limit: int) -> list[dict[str, Any]]:
    pages = []
    while True:
        page = _page(central, kiosk.cursor, limit)
        assert page["content_hash"] == feed.content_hash(page)
        kiosk.apply(page)
        pages.append(page)
        if page["complete"]:
            return pages


def _server_rows(central: Central) -> dict[str, list[dict[str, Any]]]:
    return {kind: admin.list_records(central, kind) for kind in wire.KINDS}


@pytest.fixture
def kiosk(tmp_path: Path):
    store = KioskRegistry(tmp_path / "kiosk" / "kiosk.db")
    yield store
    store.close()


def test_a_paged_snapshot_then_changes_leave_the_kiosk_equal_to_the_server(
    central: Central, kiosk: KioskRegistry
) -> None:
    admin.put_records(central, "people", _people(7), "t")
    admin.put_records(
        central,
        "quarantines",
        [{"id_number": ID, "from": "2022-01-10T00:00:00+08:00"}],
        "t",
    )
    admin.put_records(central, "revocations", [{"kind": "campus_pass", "person_no": "S00001"}], "t")
    pages = _sync(central, kiosk, limit=3)
    assert len(pages) == 4  # 7 people, 1 quarantine, 1 revocation, 1 trust key by 3
    assert all(p["snapshot"] for p in pages)
    assert pages[0]["replace"] == list(wire.KINDS) and not any(p["replace"] for p in pages[1:])
    assert [p["complete"] for p in pages] == [False, False, False, True]
    assert kiosk.rows() == _server_rows(central)

    admin.put_records(central, "people", [{**_people(1)[0], "unit": "Math"}], "t")
    admin.delete_records(central, "people", [{"person_no": "S00002"}], "t")
    admin.delete_records(
        central, "revocations", [{"kind": "campus_pass", "person_no": "S00001"}], "t"
    )
    admin.put_records(central, "people", _people(2, start=100), "t")
    pages = _sync(central, kiosk, limit=2)
    assert not any(p["snapshot"] for p in pages)
    deleted = [(k, key) for p in pages for k, keys in p["delete"].items() for key in keys]
    assert sorted(deleted, key=str) == [
        ("people", {"person_no": "S00002"}),
        ("revocations", {"kind": "campus_pass", "person_no": "S00001"}),
    ]
    assert kiosk.rows() == _server_rows(central)
    assert sum(len(v) for p in pages for v in p["upsert"].values()) == 3


def test_a_record_changed_then_deleted_is_sent_once_as_a_deletion(
    central: Central, kiosk: KioskRegistry
) -> None:
    _sync(central, kiosk, limit=100)
    admin.put_records(central, "people", _people(1), "t")
    admin.put_records(central, "people", [{**_people(1)[0], "unit": "X"}], "t")
    admin.delete_records(central, "people", [{"person_no": "S00000"}], "t")
    (page,) = _sync(central, kiosk, limit=100)
    assert page["upsert"] == {} and page["delete"] == {"people": [{"person_no": "S00000"}]}


def test_an_unchanged_upsert_makes_no_feed_entry(central: Central, kiosk: KioskRegistry) -> None:
    admin.put_records(central, "people", _people(3), "t")
    _sync(central, kiosk, limit=100)
    admin.put_records(central, "people", _people(3), "t")
    (page,) = _sync(central, kiosk, limit=100)
    assert page["upsert"] == {} and page["next_cursor"] == page["cursor"]


@pytest.mark.parametrize("cursor", ["", "deadbeef~3", "garbage", "x~y~z~w", "{epoch}~999999"])
def test_an_unknown_cursor_gets_a_snapshot(central: Central, cursor: str) -> None:
    admin.put_records(central, "people", _people(2), "t")
    with read_connection(central.engine) as conn:
        epoch = get_meta(conn, "epoch")
    page = _page(central, cursor.format(epoch=epoch))
    assert page["snapshot"] and page["replace"] == list(wire.KINDS)
    assert len(page["upsert"]["people"]) == 2


def test_a_cursor_older_than_the_compacted_deletions_gets_a_snapshot(
    central: Central, kiosk: KioskRegistry
) -> None:
    admin.put_records(central, "people", _people(3), "t")
    _sync(central, kiosk, limit=100)
    old_cursor = kiosk.cursor
    admin.delete_records(central, "people", [{"person_no": "S00000"}], "t")
    with write_connection(central.engine) as conn, conn.begin():
        assert registry.compact(conn, central.now() + dt.timedelta(seconds=1)) == 1
    page = _page(central, old_cursor)
    assert page["snapshot"]
    kiosk.apply(page)
    assert kiosk.rows() == _server_rows(central)


def test_changes_made_while_a_snapshot_is_read_arrive_after_it(
    central: Central, kiosk: KioskRegistry
) -> None:
    admin.put_records(central, "people", _people(6), "t")
    kiosk.apply(_page(central, None, limit=2))  # snapshot page 1 of several
    admin.delete_records(central, "people", [{"person_no": "S00005"}], "t")
    admin.put_records(central, "people", [{**_people(1)[0], "unit": "moved"}], "t")
    admin.put_records(central, "people", _people(1, start=50), "t")
    _sync(central, kiosk, limit=2)
    assert kiosk.rows() == _server_rows(central)


def test_a_page_whose_content_was_altered_fails_its_hash(central: Central) -> None:
    admin.put_records(central, "people", _people(2), "t")
    page = _page(central, None)
    page["upsert"]["people"][0]["active"] = False
    assert feed.content_hash(page) != page["content_hash"]


def test_feed_rows_carry_hmacs_and_masks_never_raw_identities(central: Central) -> None:
    row = {**_people(1)[0], "id_number": ID}
    admin.put_records(central, "people", [row], "t")
    text = str(_page(central, None))
    assert ID not in text and "张三" not in text
    assert "**************3456" in text and "张*" in text


def test_a_kind_the_server_does_not_model_is_refused_clearly(central: Central) -> None:
    with pytest.raises(Exception, match="unknown registry kind 'parking_lots'"):
        admin.put_records(central, "parking_lots", [{"plate": "豫A12345"}], "t")


def test_a_kind_added_to_the_kiosk_flows_without_server_changes(central: Central) -> None:
    rows = [{"plate": "豫a·D12345", "unit": "后勤处", "until": "2022-06-30"}]
    assert admin.put_records(central, "vehicles", rows, "t") == 1
    fed = _page(central, None)["upsert"]["vehicles"]
    assert fed == [
        {
            "plate": "豫AD12345",
            "unit": "后勤处",
            "person_no": None,
            "until": "2022-06-30",
            "active": True,
        }
    ]


def test_the_feed_reports_when_each_kind_last_came_from_its_source(
    central: Central, tmp_path: Path
) -> None:
    t0 = dt.datetime(2022, 1, 20, 6, 0, tzinfo=dt.UTC)
    central.clock = lambda: t0
    admin.put_records(central, "people", _people(2), "t")
    csv = tmp_path / "checkins.csv"
    csv.write_text("person_no,date,status\nS00000,2022-01-20,normal\n", encoding="utf-8")
    central.clock = lambda: t0 + dt.timedelta(hours=1)
    admin.import_csv(central, "checkins", csv, "t")
    central.clock = lambda: t0 + dt.timedelta(hours=2)
    admin.put_records(central, "people", _people(2), "t")  # the same roster again: current
    central.clock = lambda: t0 + dt.timedelta(hours=3)
    admin.delete_records(central, "quarantines", [], "t")  # "no holds", said at 09:00

    sources = _page(central, None)["sources"]
    assert sources == {
        "people": (t0 + dt.timedelta(hours=2)).isoformat(),
        "quarantines": (t0 + dt.timedelta(hours=3)).isoformat(),
        "checkins": (t0 + dt.timedelta(hours=1)).isoformat(),
    }
    assert list(sources) == [k for k in wire.KINDS if k in sources], "in kind order"
