from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.fixture
def bare_config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text('[gate]\nid = "north"\n[paths]\ndata_dir = "var"\n', encoding="utf-8")
    return path


@pytest.fixture
def config(bare_config: Path, tmp_path: Path, capsys) -> Path:
    """A gate whose campus key was installed, as an admin provisions one."""
    key_file = tmp_path / "campus.key"
    key_file.write_text(os.urandom(32).hex() + "\n")
    assert main(["--config", str(bare_config), "keys", "install-campus-key", str(key_file)]) == 0
    capsys.readouterr()
    return bare_config


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
    assert "version: (none)" in out and "last sync: never" in out, "an import is not a sync"
    assert "people           2         never synced" in out
    assert re.search(r"^campus key: [0-9a-f]{16}$", out, re.M)


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


PEOPLE = "person_no,role,name,id_number\nT1001,staff,李明,410105198001011234\n"


def test_import_without_an_installed_key_says_how_to_install_it(
    bare_config: Path, tmp_path: Path, capsys
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert main(["--config", str(bare_config), "registry", "import", "people", str(people)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "no campus ID-number key at" in err and "kiosk keys install-campus-key FILE" in err
    assert not (tmp_path / "var" / "secrets" / "id-hmac.key").exists(), "never invented"
    main(["--config", str(bare_config), "registry", "status"])
    out = capsys.readouterr().out
    assert "people           0" in out and "campus key: no campus ID-number key at" in out


def test_install_campus_key_then_show_and_refuse_a_different_one(
    bare_config: Path, tmp_path: Path, capsys
) -> None:
    key = os.urandom(32)
    (tmp_path / "k1").write_bytes(key)
    (tmp_path / "k2").write_bytes(os.urandom(32))
    cfg = ["--config", str(bare_config)]
    assert main([*cfg, "keys", "show"]) == 1
    assert "install-campus-key" in capsys.readouterr().err
    assert main([*cfg, "keys", "install-campus-key", str(tmp_path / "k1")]) == 0
    installed = capsys.readouterr().out
    assert main([*cfg, "keys", "show"]) == 0
    fingerprint = capsys.readouterr().out.split()[2]
    assert fingerprint in installed and key.hex() not in installed
    path = tmp_path / "var" / "secrets" / "id-hmac.key"
    assert path.read_bytes() == key and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert main([*cfg, "keys", "install-campus-key", str(tmp_path / "k2")]) == 1
    assert "different campus key" in capsys.readouterr().err
    assert path.read_bytes() == key
    assert main([*cfg, "keys", "install-campus-key", str(tmp_path / "k2"), "--replace"]) == 0
    assert path.read_bytes() == (tmp_path / "k2").read_bytes()
    assert main([*cfg, "keys", "install-campus-key", str(tmp_path)]) == 1
    assert "not a file" in capsys.readouterr().err


def test_mark_synced_is_an_explicit_logged_statement(config: Path, tmp_path: Path, capsys):
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    cfg = ["--config", str(config)]
    assert main([*cfg, "registry", "import", "people", str(people)]) == 0
    args = [*cfg, "registry", "mark-synced", "--as-of", "2022-01-20T07:00", "--by", "王老师"]
    assert main(args) == 0
    capsys.readouterr()
    main([*cfg, "registry", "status"])
    out = capsys.readouterr().out
    assert "last sync: 2022-01-20T07:00:00+08:00" in out
    assert "checkins         0         as of 2022-01-20T07:00:00+08:00" in out
    assert main([*cfg, "log", "tail"]) == 0
    lines = capsys.readouterr().out.splitlines()
    audit = json.loads(lines[0].split("  ", 6)[6])
    assert audit == {
        "action": "mark_synced",
        "as_of": "2022-01-20T07:00:00+08:00",
        "by": "王老师",
        "via": "cli",
    }
    future = [*cfg, "registry", "mark-synced", "--as-of", "2099-01-01T00:00+08:00", "--by", "x"]
    assert main(future) == 2
    assert "in the future" in capsys.readouterr().err
