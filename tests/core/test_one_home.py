"""Each rule's vocabulary and limits are defined once; every reader accepts exactly them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from kiosk.core.credentials.transport import MAX_TEXT_CHARS, PREFIXES, looks_signed
from kiosk.core.identity import MAX_ID_NUMBER_CHARS, MIN_ID_NUMBER_CHARS
from kiosk.core.registry import CHECKIN_STATUSES, LEAVE_KINDS, RISK_LEVELS, ROLES, STATUSES
from kiosk.scenarios.registry_builder import build_records
from kiosk.scenarios.spec import ScenarioError
from kiosk.store.csv_import import CSV_KINDS, CsvImportError, read_csv

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2022, 1, 20, 8, 0, tzinfo=TZ)
KEY = b"k" * 32


def scenario_people(role: str) -> dict[str, object]:
    return {"people": [{"person_no": "P1", "role": role, "name": "王芳"}]}


@pytest.mark.parametrize("role", ROLES)
def test_scenario_files_accept_every_role_of_the_core(role: str) -> None:
    snapshot = build_records(scenario_people(role), NOW, TZ, KEY, "t")
    assert [p.role for p in snapshot.people] == [role]


def test_scenario_files_refuse_a_role_the_core_does_not_know() -> None:
    with pytest.raises(ScenarioError, match="role"):
        build_records(scenario_people("janitor"), NOW, TZ, KEY, "t")


@pytest.mark.parametrize("role", [*ROLES, "janitor"])
def test_csv_import_accepts_exactly_the_roles_of_the_core(role: str, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(f"person_no,role,name\nP1,{role},王芳\n", encoding="utf-8")
    kind = CSV_KINDS["people"]
    if role in ROLES:
        assert [p.role for p in read_csv(kind, file, KEY, TZ)] == [role]
    else:
        with pytest.raises(CsvImportError, match="role"):
            read_csv(kind, file, KEY, TZ)


@pytest.mark.parametrize(
    ("kind", "header", "row", "column", "values"),
    [
        ("stays", "person_no,from,until,status", "P1,2022-01-15,2022-02-20,{}", "status", STATUSES),
        ("checkins", "person_no,date,status", "P1,2022-01-20,{}", "status", CHECKIN_STATUSES),
        ("risk-areas", "region_code,level,from", "410102,{},2022-01-10", "level", RISK_LEVELS),
        (
            "leaves",
            "leave_id,person_no,kind,from,until,destination_region,status",
            "L1,P1,{},2022-01-20T08:00+08:00,2022-01-20T14:00+08:00,410102,approved",
            "kind",
            LEAVE_KINDS,
        ),
    ],
)
def test_csv_vocabularies_are_the_cores(
    kind: str, header: str, row: str, column: str, values: tuple[str, ...], tmp_path: Path
) -> None:
    file = tmp_path / f"{kind}.csv"
    reader = CSV_KINDS[kind]
    for value in values:
        file.write_text(f"{header}\n{row.format(value)}\n", encoding="utf-8")
        assert len(read_csv(reader, file, KEY, TZ)) == 1
    file.write_text(f"{header}\n{row.format('bogus')}\n", encoding="utf-8")
    with pytest.raises(CsvImportError, match=column):
        read_csv(reader, file, KEY, TZ)


@pytest.mark.parametrize(
    ("length", "ok"),
    [
        (MIN_ID_NUMBER_CHARS - 1, False),
        (MIN_ID_NUMBER_CHARS, True),
        (MAX_ID_NUMBER_CHARS, True),
        (MAX_ID_NUMBER_CHARS + 1, False),
    ],
)
def test_csv_id_number_limits_are_the_cores(length: int, ok: bool, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(f"person_no,role,name,id_number\nP1,staff,王芳,{'1' * length}\n", "utf-8")
    kind = CSV_KINDS["people"]
    if ok:
        assert len(read_csv(kind, file, KEY, TZ)) == 1
    else:
        with pytest.raises(CsvImportError, match="ID number"):
            read_csv(kind, file, KEY, TZ)


def test_signed_prefixes_come_from_the_transport_layer() -> None:
    assert all(looks_signed(f"{p}:ABC") for p in PREFIXES)
    assert not looks_signed("HC1:ABC") and not looks_signed("HK1") and MAX_TEXT_CHARS == 4096
