"""`kiosk relay` on simulated boards."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    file = tmp_path / "kiosk.toml"
    file.write_text('[relay]\nport = "sim:"\npulse_ms = 150\n', encoding="utf-8")
    return file


@pytest.mark.parametrize("protocol", ["lcus", "modbus-coil"])
def test_pulse_on_a_simulator(config: Path, protocol: str, capsys) -> None:
    rc = main(["--config", str(config), "relay", "pulse", "--protocol", protocol,
               "--channel", "2", "--ms", "120"])
    assert rc == 0 and "pulsed 120 ms" in capsys.readouterr().out


def test_off_on_a_simulator(config: Path, capsys) -> None:
    assert main(["--config", str(config), "relay", "off"]) == 0


def test_fault_exits_1_with_a_message(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "relay", "pulse", "--port", "sim:silent",
               "--protocol", "modbus-coil"])
    err = capsys.readouterr().err
    assert rc == 1 and "no reply" in err and "Traceback" not in err


def test_short_pulse_exits_2(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "relay", "pulse", "--ms", "50"])
    assert rc == 2 and "at least 100" in capsys.readouterr().err
