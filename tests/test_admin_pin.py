"""Admin PIN: hashed in a private file, checked with lockout; `kiosk admin set-pin`."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from kiosk.admin_pin import PinChecker, PinError, set_pin
from kiosk.cli import main


def test_pin_is_stored_hashed_and_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "admin-pin"
    set_pin(path, "246813")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "246813" not in path.read_text()
    checker = PinChecker(path)
    assert checker.check("246813")
    assert not checker.check("246814")


@pytest.mark.parametrize("pin", ["12345", "abcdef", ""])
def test_weak_pins_are_refused(tmp_path: Path, pin: str) -> None:
    with pytest.raises(PinError):
        set_pin(tmp_path / "pin", pin)


def test_wrong_pins_lock_the_checker_even_for_the_right_pin(tmp_path: Path) -> None:
    path = tmp_path / "pin"
    set_pin(path, "135790")
    now = [0.0]
    checker = PinChecker(path, max_attempts=3, lockout_s=60, clock=lambda: now[0])
    assert not any(checker.check("000000") for _ in range(3))
    assert checker.locked
    assert not checker.check("135790")
    now[0] = 61.0
    assert checker.check("135790")


def test_missing_or_corrupt_file_refuses_every_pin(tmp_path: Path) -> None:
    assert not PinChecker(tmp_path / "none").check("123456")
    bad = tmp_path / "bad"
    bad.write_text("{not json")
    assert not PinChecker(bad).check("123456")


def test_cli_sets_the_configured_pin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("97531246\n"))
    assert main(["--config", str(config), "admin", "set-pin", "--stdin"]) == 0
    assert PinChecker(tmp_path / "var" / "secrets" / "admin-pin").check("97531246")
