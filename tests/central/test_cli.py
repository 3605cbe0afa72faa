"""The ``central`` command as a user runs it: tokens printed once, one-line errors."""

from __future__ import annotations

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
