"""Where kiosk.toml is read from: --config, then $KIOSK_CONFIG, then /etc/campus-kiosk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_CONFIG, config_location, load_kiosk_config


def test_precedence(tmp_path: Path) -> None:
    system = tmp_path / "etc" / "kiosk.toml"
    given, env = tmp_path / "given.toml", tmp_path / "env.toml"
    assert config_location(None, environ={}, system=system) == DEFAULT_CONFIG
    system.parent.mkdir()
    system.write_text("")
    assert config_location(None, environ={}, system=system) == system
    assert config_location(None, environ={"KIOSK_CONFIG": str(env)}, system=system) == env
    assert config_location(given, environ={"KIOSK_CONFIG": str(env)}, system=system) == given
    assert config_location(None, environ={"KIOSK_CONFIG": ""}, system=system) == system


def test_environment_variable_reaches_load_and_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "kiosk.toml"
    policy = DEFAULT_CONFIG.parent / "policy.toml"
    file.write_text(
        f'[gate]\nid = "east"\n[paths]\ndata_dir = "/var/lib/campus-kiosk"\n'
        f'policy_file = "{policy}"\n'
    )
    monkeypatch.setenv("KIOSK_CONFIG", str(file))
    config = load_kiosk_config()
    assert config.settings.gate.id == "east"
    assert config.data_dir == Path("/var/lib/campus-kiosk")  # an absolute data_dir stays
    shown = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "config", "check"],
        capture_output=True, text=True, env={"KIOSK_CONFIG": str(file), "PATH": "/usr/bin"},
        check=True,
    ).stdout
    assert f"{file}: ok (gate east, in)" in shown


def test_a_missing_file_named_by_the_variable_is_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "config", "check"],
        capture_output=True, text=True, env={"KIOSK_CONFIG": str(missing), "PATH": "/usr/bin"},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"kiosk: configuration error: {missing}: "
                                                  "file not found"]
