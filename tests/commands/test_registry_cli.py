from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text('[gate]\nid = "north"\n[paths]\ndata_dir = "var"\n', encoding="utf-8")
    return path


def test_import_then_status(config: Path, tmp_path: Path, capsys) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "\ufeffperson_no,role,name,id_number,unit,active\n"
        "T1001,staff,李明,410105198001011234,计算机学院,true\n"
        "S2020001,student,王小二,,物理学院,true\n",
        encoding="utf-8",
    )
    assert main(["--config", str(config), "registry", "import", "people", str(people)]) == 0
    assert "people: imported 2 records" in capsys.readouterr().out
    key = tmp_path / "var" / "secrets" / "id-hmac.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert main(["--config", str(config), "registry", "status"]) == 0
    out = capsys.readouterr().out
    assert "people           2" in out and "checkins         0" in out
    assert "version: (none)" in out and "last sync: 20" in out


def test_bad_file_reports_line_and_column_and_exits_1(config: Path, tmp_path: Path, capsys):
    checkins = tmp_path / "checkins.csv"
    checkins.write_text("person_no,date,status\nT1,2022-01-20,normal\nT2,2022-01-20,sick\n")
    assert main(["--config", str(config), "registry", "import", "checkins", str(checkins)]) == 1
    err = capsys.readouterr().err
    assert "line 3, column 3 (status): expected one of normal, abnormal" in err
    assert "nothing was imported" in err
    main(["--config", str(config), "registry", "status"])
    assert "checkins         0" in capsys.readouterr().out


def test_cli_offers_exactly_the_importable_kinds() -> None:
    # The command keeps its own list so `kiosk --help` need not import SQLAlchemy.
    from kiosk.commands.registry import KINDS
    from kiosk.store.csv_import import KIND_NAMES

    assert KINDS == KIND_NAMES
