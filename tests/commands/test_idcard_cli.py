"""`kiosk idcard` on simulated readers over ptys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    file = tmp_path / "kiosk.toml"
    file.write_text('[idcard]\nport = "sim:normal"\npoll_hz = 10.0\n', encoding="utf-8")
    return file


def test_prints_masked_fields_of_two_cards(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "idcard", "--count", "2"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 0 and len(out) == 2
    assert out[0].startswith("resident ID card: 张* ")
    assert out[0].endswith("2316, valid until 2035-03-10")
    assert out[1].startswith("resident ID card: 王* ") and "4525" in out[1]
    text = "\n".join(out)
    assert "张伟" not in text and "王芳" not in text
    assert "410105198803152316" not in text and "410102199207204525" not in text


def test_json_expired_card(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "idcard", "--port", "sim:expired", "--json"])
    row = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert row["expired"] is True and row["valid_to"] == "2021-11-02" and row["name"] == "李*"
    assert row["id_number"].endswith("3021") and "197511" not in row["id_number"]


def test_json_long_term_card(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "idcard", "--port", "sim:long-term", "--json"])
    row = json.loads(capsys.readouterr().out)
    assert rc == 0 and row["valid_to"] == "long-term" and row["expired"] is False


def test_fingerprint_variant(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "idcard", "--protocol", "sam-fp", "--json"])
    assert rc == 0 and json.loads(capsys.readouterr().out)["kind"] == "resident"


def test_foreigners_card_is_refused_with_a_clear_message(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "idcard", "--port", "sim:foreigner"])
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.out.startswith("REFUSED: a foreigner's permanent residence card")
    assert captured.err.strip().splitlines()[-1].startswith("kiosk idcard: card refused: ")
    assert "Traceback" not in captured.err


def test_faulty_reader_exits_1(config: Path, capsys) -> None:
    rc = main(["--config", str(config), "idcard", "--port", "sim:sam-fault",
               "--ready-timeout", "2"])
    err = capsys.readouterr().err
    assert rc == 1 and "not ready" in err and "SAM module self-test failed" in err


def test_missing_port_exits_1(config: Path, tmp_path: Path, capsys) -> None:
    rc = main(["--config", str(config), "idcard", "--port", str(tmp_path / "ttyUSB9"),
               "--ready-timeout", "1"])
    assert rc == 1 and "not ready" in capsys.readouterr().err


def test_no_card_in_time_exits_1(tmp_path: Path, capsys) -> None:
    file = tmp_path / "kiosk.toml"
    file.write_text('[idcard]\nport = "sim:sam-fault"\n', encoding="utf-8")
    rc = main(["--config", str(file), "idcard", "--port", "sim:normal", "--count", "5",
               "--timeout", "0.5"])
    captured = capsys.readouterr()
    assert rc == 1 and "no card within 0.5 s" in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "sim:bogus"], "unknown ID card simulator profile 'bogus'"),
        (["--count", "0"], "--count must be at least 1"),
        (["--timeout", "-1"], "must be more than 0"),
        (["--ready-timeout", "0"], "must be more than 0"),
        (["--baud", "-9600"], "--baud must be 0"),
    ],
)
def test_bad_arguments_exit_2(config: Path, capsys, argv: list[str], message: str) -> None:
    rc = main(["--config", str(config), "idcard", *argv])
    assert rc == 2 and message in capsys.readouterr().err


def test_bad_poll_rate_in_config_is_a_configuration_error(tmp_path: Path, capsys) -> None:
    file = tmp_path / "kiosk.toml"
    file.write_text("[idcard]\npoll_hz = 50.0\n", encoding="utf-8")
    rc = main(["--config", str(file), "idcard"])
    assert rc == 2 and "idcard.poll_hz" in capsys.readouterr().err
