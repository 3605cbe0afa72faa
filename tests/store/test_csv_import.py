from __future__ import annotations

import datetime as dt
import os
import stat
import zoneinfo
from pathlib import Path

import pytest

from kiosk.core.identity import id_hmac
from kiosk.store.csv_import import CsvImportError, import_csv
from kiosk.store.registry import RegistryWriter, SqlRegistry, registry_status
from kiosk.store.secrets import (
    CampusKeyMissing,
    SecretFileError,
    install_campus_key,
    parse_key_file,
    read_campus_key,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
KEY = b"k" * 32
ID_A = "410105198001011234"
ID_V = "410205199002023456"

FILES = {
    "people": (
        "person_no,role,name,id_number,unit,active\n"
        f"T1001,staff,李明,{ID_A},计算机学院,true\n"
        "S2020001,student,王小二,,物理学院,\n"
        "C0001,contractor,赵六,,,false\n"
    ),
    "visits": (
        "approval_no,name,id_number,origin_region,host_unit,host_person_no,visit_date,gates,"
        "filed_at,status,plate\n"
        f"V-0001,王芳,{ID_V},410200,计算机学院,T1001,2022-01-20,north|east,"
        "2022-01-18T10:00:00+08:00,approved,豫a·d1234 5\n"
        f"V-0002,王芳,{ID_V},410200,计算机学院,T1001,2022-01-21,,2022-01-19 10:00,pending,\n"
    ),
    "stays": "person_no,from,until,status\nS2020001,2022-01-15,2022-02-20,approved\n",
    "leaves": (
        "leave_id,person_no,kind,from,until,destination_region,status\n"
        "L1,S2020001,campus_exit,2022-01-20T08:00+08:00,2022-01-20T14:00+08:00,410102,approved\n"
    ),
    "quarantine": (
        "id_number,person_no,from,until\n"
        f"{ID_V},,2022-01-10T00:00+08:00,2022-01-24T00:00+08:00\n"
        ",S2020001,2022-01-19T00:00+08:00,\n"
    ),
    "risk-areas": "region_code,level,from,until\n410102,medium,2022-01-15T00:00+08:00,null\n",
    "checkins": "person_no,date,status\nT1001,2022-01-20,normal\n",
    "revocations": "kind,person_no\ncampus_pass,S2020009\n",
    "vehicles": (
        "plate,unit,person_no,until,active\n"
        "豫A12345,计算机学院,T1001,,\n"
        "京B·1234学,后勤处,,2022-02-20,false\n"
    ),
}


def write(tmp_path: Path, name: str, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def test_every_kind_imports(engine, tmp_path: Path) -> None:
    writer = RegistryWriter(engine)
    for kind, text in FILES.items():
        n = import_csv(writer, kind, write(tmp_path, kind, text, bom=True), KEY, TZ)
        assert n == text.count("\n") - 1, kind
    r = SqlRegistry(engine)
    teacher = r.person("T1001")
    assert teacher is not None
    assert teacher.name_masked == "李*" and teacher.id_masked == "**************1234"
    assert r.person_by_id(id_hmac(KEY, ID_A)) == teacher
    student, contractor = r.person("S2020001"), r.person("C0001")
    assert student is not None and student.id_hmac is None
    assert contractor is not None and contractor.active is False
    visit, later = r.visit_approval("V-0001"), r.visit_approval("V-0002")
    assert visit is not None and later is not None
    assert visit.gates == ("north", "east") and visit.name_masked == "王*"
    assert visit.filed_at == dt.datetime(2022, 1, 18, 2, tzinfo=dt.UTC)
    assert later.filed_at == dt.datetime(2022, 1, 19, 2, tzinfo=dt.UTC) and later.gates == ()
    assert len(r.visit_approvals_for(id_hmac(KEY, ID_V))) == 2
    assert r.stay_approvals("S2020001")[0].until == dt.date(2022, 2, 20)
    assert r.leave_approvals("S2020001")[0].destination_region == "410102"
    assert len(r.quarantines(id_hmac(KEY, ID_V), "S2020001")) == 2
    assert r.risk_areas(["410102"])[0].until is None
    assert r.checkin("T1001", dt.date(2022, 1, 20)) is not None
    assert r.is_revoked("campus_pass", "S2020009")
    assert visit.plate == "豫AD12345" and later.plate is None
    assert r.visit_approvals_for_plate("豫AD12345") == [visit]
    car, van = r.vehicle("豫A12345"), r.vehicle("京B1234学")
    assert car is not None and car.person_no == "T1001" and car.until is None and car.active
    assert van is not None and van.until == dt.date(2022, 2, 20) and van.active is False
    assert r.vehicle("豫B54321") is None
    r.close()


def test_no_raw_id_number_or_name_is_stored(engine, db_path: Path, tmp_path: Path) -> None:
    writer = RegistryWriter(engine)
    for kind in ("people", "visits", "quarantine"):
        import_csv(writer, kind, write(tmp_path, kind, FILES[kind]), KEY, TZ)
    engine.dispose()  # close connections so the WAL is checkpointed into the file
    data = b"".join(p.read_bytes() for p in db_path.parent.iterdir() if p.is_file())
    assert b"**************1234" in data  # the masked form is there (last 4 digits only) …
    for secret in (ID_A, ID_V, ID_A[:6], ID_V[:6], ID_A[6:14], "李明", "王小二", "王芳"):
        assert secret.encode() not in data, secret  # … the raw values are not


def test_bad_cell_names_file_line_and_column_and_imports_nothing(engine, tmp_path: Path) -> None:
    text = FILES["visits"].replace("2022-01-21", "2022-13-01")
    path = write(tmp_path, "visits", text)
    with pytest.raises(CsvImportError) as info:
        import_csv(RegistryWriter(engine), "visits", path, KEY, TZ)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "column 7 (visit_date)" in message
    assert "expected a date YYYY-MM-DD" in message
    assert registry_status(engine).counts["visit_approvals"] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("person_no,role,name\nS1,wizard,王五\n", "line 2, column 2 (role): expected one of"),
        ("person_no,role,nmae\nS1,student,王五\n", "line 1, column 3 (nmae): unknown column"),
        ("person_no,name\nS1,王五\n", "line 1: missing required column 'role'"),
        ("person_no,role,name\nS1,student\n", "line 2: expected 3 cells, found 2"),
        ("person_no,role,name\nS1,student,甲\nS1,staff,乙\n", "line 3: duplicate person_no"),
        ("person_no,role,name,id_number\nS1,student,甲,41-01\n", "column 4 (id_number)"),
        ("", "line 1: expected a header row"),
    ],
)
def test_bad_people_files(engine, tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(CsvImportError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        import_csv(RegistryWriter(engine), "people", write(tmp_path, "p", text), KEY, TZ)
    assert registry_status(engine).counts["people"] == 0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("豫O12345,后勤处", "column 1 (plate): expected a plate like"),
        ("豫A1234,后勤处", "column 1 (plate): expected a plate like"),
        ("A123456,后勤处", "column 1 (plate): expected a plate like"),
        ("豫A12345,=cmd()", "column 2 (unit): expected text that does not start with"),
        ("豫A12345,后勤处,,2022-02-30", "column 4 (until): expected a date"),
    ],
)
def test_bad_vehicle_rows(engine, tmp_path: Path, row: str, expected: str) -> None:
    text = f"plate,unit,person_no,until\n{row}{',' * (3 - row.count(','))}\n"
    with pytest.raises(CsvImportError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        import_csv(RegistryWriter(engine), "vehicles", write(tmp_path, "v", text), KEY, TZ)
    assert registry_status(engine).counts["vehicles"] == 0


def test_replace_drops_the_kinds_old_rows_only(engine, tmp_path: Path) -> None:
    writer = RegistryWriter(engine)
    import_csv(writer, "people", write(tmp_path, "p", FILES["people"]), KEY, TZ)
    import_csv(writer, "checkins", write(tmp_path, "c", FILES["checkins"]), KEY, TZ)
    again = "person_no,role,name\nN1,staff,新人\n"
    import_csv(writer, "people", write(tmp_path, "p2", again), KEY, TZ)
    assert registry_status(engine).counts["people"] == 4  # upsert adds
    import_csv(writer, "people", write(tmp_path, "p3", again), KEY, TZ, replace=True)
    counts = registry_status(engine).counts
    assert counts["people"] == 1 and counts["checkins"] == 1


def test_key_is_installed_owner_only_and_never_invented(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "id-hmac.key"
    with pytest.raises(CampusKeyMissing, match="kiosk keys install-campus-key"):
        read_campus_key(path)
    assert not path.exists(), "a missing key is not created"
    key = os.urandom(32)
    assert install_campus_key(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_campus_key(path) == key
    assert not install_campus_key(path, key), "installing the same key again changes nothing"
    with pytest.raises(SecretFileError, match="different campus key"):
        install_campus_key(path, os.urandom(32))
    assert read_campus_key(path) == key
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_key_files_as_delivered(tmp_path: Path) -> None:
    key = os.urandom(32)
    assert parse_key_file(key, "k") == key
    assert parse_key_file(key.hex().encode() + b"\n", "k") == key
    with pytest.raises(SecretFileError, match="32 raw bytes or 64 hex digits"):
        parse_key_file(b"z" * 64, "k")


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "id-hmac.key"
    path.write_bytes(os.urandom(32))
    path.chmod(0o644)
    with pytest.raises(SecretFileError, match="chmod 600"):
        read_campus_key(path)
    path.chmod(0o600)
    path.write_bytes(b"short")
    with pytest.raises(SecretFileError, match="expected 32 bytes"):
        read_campus_key(path)


def test_an_import_does_not_make_the_registry_fresh(engine, tmp_path: Path) -> None:
    import_csv(RegistryWriter(engine), "people", write(tmp_path, "p", FILES["people"]), KEY, TZ)
    status = registry_status(engine)
    assert status.counts["people"] == 3
    assert status.synced_at is None and status.version == ""


IMPOSSIBLE = [
    (
        "leaves",
        "leave_id,person_no,kind,from,until,destination_region,status\n"
        "L1,S1,campus_exit,2022-01-20T14:00+08:00,2022-01-20T08:00+08:00,410102,approved\n",
        "line 2: ends (2022-01-20T08:00:00+08:00) before it starts",
    ),
    ("stays", "person_no,from,until,status\nS1,2022-02-20,2022-01-15,approved\n", "line 2: ends"),
    (
        "risk-areas",
        "region_code,level,from,until\n410102,high,2022-01-15T00:00+08:00,2022-01-14T00:00+08:00\n",
        "line 2: ends before it starts",
    ),
    (
        "people",
        "person_no,role,name\nS\x001,student,甲\n",
        "column 1 (person_no): expected a person number without control",
    ),
    (
        "people",
        "person_no,role,name\nS1,student,甲\x07\n",
        "column 3 (name): expected a name without control",
    ),
    (
        "people",
        f"person_no,role,name\n{'9' * 100_000},student,甲\n",
        "at most 32 characters, got 100000",
    ),
    (
        "people",
        "person_no,role,name\n=HYPERLINK(x),student,甲\n",
        "column 1 (person_no): not a valid person number",
    ),
    (
        "people",
        "person_no,role,name\n@SUM(A1),student,甲\n",
        "column 1 (person_no): not a valid person number",
    ),
    (
        "people",
        "person_no,role,name\n-1,student,甲\n",
        "column 1 (person_no): not a valid person number",
    ),
    (
        "people",
        "person_no,role,name,unit\nS1,student,甲,+cmd|x\n",
        "column 4 (unit): expected text that does not start",
    ),
    (
        "people",
        "person_no,role,name\nS1,student,=甲\n",
        "column 3 (name): expected text that does not start",
    ),
    (
        "checkins",
        "person_no,date,status\nT1,0001-01-01,normal\n",
        "expected a date from 1970-01-01 to 9998-12-31, got 0001-01-01",
    ),
    ("checkins", "person_no,date,status\nT1,9999-12-31,normal\n", "got 9999-12-31"),
    (
        "visits",
        "approval_no,name,id_number,origin_region,host_unit,host_person_no,visit_date,filed_at,status\n"
        f"V1,王芳,{ID_V},410200,计算机学院,T1001,2022-01-20,9999-01-01T00:00+08:00,approved\n",
        "column 8 (filed_at): expected a date from 1970-01-01",
    ),
]


@pytest.mark.parametrize(("kind", "text", "expected"), IMPOSSIBLE)
def test_impossible_rows_are_refused_with_a_clear_line(engine, tmp_path, kind, text, expected):
    path = write(tmp_path, "bad", text)
    with pytest.raises(CsvImportError) as info:
        import_csv(RegistryWriter(engine), kind, path, KEY, TZ)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and len(message) < 400 + len(str(path))
    assert sum(registry_status(engine).counts.values()) == 0
