"""The gate token file, the saved status and `kiosk sync` without a server."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_kiosk_config
from kiosk.store.dataset_times import DatasetSync
from kiosk.sync.link import SyncSetupError, check_token, link_settings, read_token, write_token
from kiosk.sync.status import SyncStatus, load_status, save_status


def test_token_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "gate-token"
    write_token(path, "cgt_abc")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_token(path) == "cgt_abc"
    path.chmod(0o644)
    with pytest.raises(SyncSetupError, match="chmod 600"):
        read_token(path)


def test_missing_token_says_how_to_enrol(tmp_path: Path) -> None:
    with pytest.raises(SyncSetupError, match="kiosk sync enroll"):
        read_token(tmp_path / "gate-token")


@pytest.mark.parametrize("text", ["", "  \n", "two words", "x" * 500, "bad\x00byte"])
def test_malformed_tokens_are_refused(text: str) -> None:
    with pytest.raises(SyncSetupError, match="expected a gate token"):
        check_token(text, "gate token")


def test_status_survives_a_round_trip(tmp_path: Path) -> None:
    at = dt.datetime(2022, 1, 20, 1, tzinfo=dt.UTC)
    datasets = (DatasetSync("people", at), DatasetSync("checkins", at, at - dt.timedelta(hours=9)))
    status = SyncStatus(True, at, "upload: down", 3, 1, "c9", at, -2.5, datasets)
    save_status(tmp_path / "s.json", status)
    assert load_status(tmp_path / "s.json") == status
    (tmp_path / "bad.json").write_text("{not json")
    assert load_status(tmp_path / "bad.json") is None
    assert load_status(tmp_path / "none.json") is None


ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[paths]\ndata_dir = "var"\n[server]\n{server}\n', encoding="utf-8")
    return path


def test_bad_url_and_ca_file_are_named(tmp_path: Path) -> None:
    config = load_kiosk_config(_config(tmp_path, 'url = "ftp://x"'))
    with pytest.raises(SyncSetupError, match="server.url"):
        link_settings(config, "t")
    config = load_kiosk_config(_config(tmp_path, 'url = "https://x"\nca_file = "ca.pem"'))
    with pytest.raises(SyncSetupError, match=r"server.ca_file: .*ca.pem is not a file"):
        link_settings(config, "t")


def test_cli_without_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(_config(tmp_path, 'url = ""'))
    assert main(["--config", config, "sync", "status"]) == 0
    assert "not configured" in capsys.readouterr().out
    assert main(["--config", config, "sync", "--once"]) == 2
    assert "no server" in capsys.readouterr().err


def test_cli_not_enrolled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(_config(tmp_path, 'url = "http://127.0.0.1:9"'))
    assert main(["--config", config, "sync", "--once"]) == 2
    assert "kiosk sync enroll" in capsys.readouterr().err
    assert main(["--config", config, "sync", "status"]) == 0
    out = capsys.readouterr().out
    assert "NOT enrolled" in out and "last success:    never" in out
    assert "backlog:         0 records to upload, 0 rejected" in out
    assert "  people           never synced\n" in out
    assert "limits unknown: " in out and "policy.toml: file not found" in out


def test_cli_status_names_each_dataset_with_its_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path, 'url = "http://127.0.0.1:9"'))
    shutil.copy(ROOT / "config" / "policy.toml", tmp_path / "policy.toml")
    assert main(["--config", config, "sync", "status"]) == 0
    out = capsys.readouterr().out
    assert "  checkins         never synced   (limit 24 h, same day)\n" in out
    assert "  quarantines      never synced   (limit 6 h)\n" in out
    assert main(["--config", config, "sync", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    checkins = next(d for d in data["datasets"] if d["dataset"] == "checkins")
    assert checkins == {
        "dataset": "checkins",
        "synced_at": None,
        "source_at": None,
        "age_s": None,
        "max_age_h": 24.0,
        "same_day": True,
    }


def test_enroll_unreachable_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, 'url = "http://127.0.0.1:9"\nretries = 0')
    token = tmp_path / "token"
    token.write_text("cgt_x\n")
    assert main(["--config", str(config), "sync", "enroll", "--token-file", str(token)]) == 2
    assert "enrolment failed" in capsys.readouterr().err
    assert not (tmp_path / "var" / "secrets" / "gate-token").exists()
