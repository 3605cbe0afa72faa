"""`kiosk thermometer` on simulated devices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "policy.toml").write_text("[temperature]\nvalid_min_c = 34.5\n", encoding="utf-8")
    file = tmp_path / "kiosk.toml"
    file.write_text('[thermometer]\nport = "sim:normal"\nwindow_s = 1.0\n', encoding="utf-8")
    return file


def test_json_measurements_from_a_fever_simulator(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "thermometer", "--port", "sim:fever", "--json",
               "--count", "2"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 0 and len(out) == 2
    for line in out:
        row = json.loads(line)
        assert row["valid"] is True and row["error"] is None and row["frames"] >= 3
        assert row["body_c"] == pytest.approx(row["object_c"] + 0.9, abs=0.011)
        assert row["body_c"] > 38.0 and row["ambient_c"] == pytest.approx(24.0, abs=0.2)


def test_body_mode_protocol_and_offset_option(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "thermometer", "--protocol", "modbus-rtu",
               "--offset", "1.2", "--json"])
    row = json.loads(capsys.readouterr().out)
    assert rc == 0 and row["body_c"] == pytest.approx(row["object_c"] + 1.2, abs=0.011)
    rc = main(["--config", str(config), "thermometer", "--protocol", "idc50", "--json"])
    row = json.loads(capsys.readouterr().out)
    assert rc == 0 and row["mode"] == "body" and row["ambient_c"] is None


def test_cold_forehead_is_printed_invalid(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "thermometer", "--port", "sim:cold"])
    out = capsys.readouterr().out
    assert rc == 0 and "INVALID" in out and "below 34.5" in out  # the policy's range


def test_device_fault_exits_1_with_a_message(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "thermometer", "--port", "sim:checksum", "--json"])
    captured = capsys.readouterr()
    row = json.loads(captured.out)
    assert rc == 1 and row["body_c"] is None and "fault" in row["error"]
    assert "Traceback" not in captured.err and "fault" in captured.err


def test_missing_port_exits_1(config: Path, tmp_path: Path, capsys) -> None:
    rc = main(["--config", str(config), "thermometer", "--port", str(tmp_path / "ttyUSB7"),
               "--ready-timeout", "1"])
    assert rc == 1 and "not ready" in capsys.readouterr().err


def test_bad_option_exits_2(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "thermometer", "--option", "colour=red"])
    assert rc == 2 and "unknown option 'colour'" in capsys.readouterr().err


def test_missing_policy_file_is_a_configuration_error(tmp_path: Path, capsys) -> None:
    file = tmp_path / "kiosk.toml"
    file.write_text('[thermometer]\nport = "sim:normal"\n', encoding="utf-8")
    rc = main(["--config", str(file), "thermometer"])
    err = capsys.readouterr().err
    assert rc == 2 and "policy.toml" in err and "file not found" in err
