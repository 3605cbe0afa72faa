"""The ``central`` command as a user runs it: tokens printed once, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CENTRAL = Path(sys.executable).with_name("central")


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CENTRAL), "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_gate_add_prints_a_token_and_the_data_directory_is_private(tmp_path: Path) -> None:
    data = tmp_path / "central"
    added = run(data, "gate", "add", "north")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("cgt_") and len(added.stdout.strip()) == 47
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    assert oct((data / "secrets" / "campus.key").stat().st_mode & 0o777) == "0o600"
    again = run(data, "gate", "add", "north")
    assert again.returncode == 2
    assert again.stderr.strip() == (
        "central: gate 'north' exists; use `central gate token north` for a new token"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gate", "add", "=evil"), "central: gate name: expected 1–32 letters"),
        (("admin", "visit-host-approve", "V-none"), "central: no filed visit 'V-none'"),
        (("admin", "log", "--start", "2022-01-20T09:00"), "expected a time with a UTC offset"),
        (("--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "init"), "cannot open the database"),
        (("admin", "import", "people", "/nonexistent.csv"), "/nonexistent.csv"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = run(tmp_path / "central", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_admin_sources_shows_when_each_kind_came_from_its_source(tmp_path: Path) -> None:
    data = tmp_path / "central"
    checkins = tmp_path / "checkins.csv"
    checkins.write_text("person_no,date,status\nT1001,2022-01-20,normal\n", encoding="utf-8")
    imported = run(data, "admin", "import", "checkins", str(checkins))
    assert imported.returncode == 0, imported.stderr
    shown = run(data, "admin", "sources")
    assert shown.returncode == 0, shown.stderr
    rows = {row["kind"]: row for row in json.loads(shown.stdout)}
    assert rows["checkins"]["records"] == 1 and rows["checkins"]["source_at"] is not None
    assert rows["people"] == {"kind": "people", "records": 0, "source_at": None}
