"""The deploy kit: the systemd unit passes systemd-analyze, the udev rules are well formed and
name the ports the system kiosk.toml uses, and that configuration loads."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNIT = DEPLOY / "campus-kiosk.service"
RULES = DEPLOY / "99-campus-kiosk.rules"
# KEY, KEY{attr}; operator; "value"
TOKEN = re.compile(
    r'^(?P<key>[A-Z_]+)(\{(?P<attr>[A-Za-z_]+)\})?(?P<op>==|!=|\+=|:=|=)"(?P<value>[^"]*)"$'
)
MATCH_KEYS = {"SUBSYSTEM", "ATTRS", "ENV", "KERNELS", "KERNEL"}
ASSIGN_KEYS = {"SYMLINK", "GROUP", "MODE", "OWNER", "ENV"}


def unit() -> dict[str, dict[str, str]]:
    """Sections of the unit file; a key given several times has its values joined by spaces."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current[key] = f"{current[key]} {value}" if key in current else value
    return sections


def test_unit_starts_kiosk_run_full_screen_and_restarts() -> None:
    u = unit()
    service = u["Service"]
    assert service["ExecStart"].endswith("/.venv/bin/kiosk run")  # full screen unless --windowed
    assert "cage -s --" in service["ExecStart"]
    assert service["Restart"] == "always"
    assert "dialout" in service["SupplementaryGroups"].split()
    assert service["User"] == "kiosk"
    assert service["StateDirectory"] == "campus-kiosk"
    assert "KIOSK_CONFIG=/etc/campus-kiosk/kiosk.toml" in service["Environment"].split()
    assert u["Install"]["WantedBy"] == "graphical.target"
    assert u["Unit"]["StartLimitIntervalSec"] == "0"  # never give up restarting


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # cage is installed on the kiosk box, not on a build machine: check everything else.
    text = UNIT.read_text().replace("/usr/bin/cage -s -- /opt/campus-kiosk/.venv/bin/kiosk run",
                                    "/bin/true")
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def rules() -> list[list[re.Match[str]]]:
    parsed = []
    for line in RULES.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tokens = [t.strip() for t in line.split(",")]
        matches = [TOKEN.match(t) for t in tokens]
        assert all(matches), f"malformed udev rule: {line}"
        parsed.append([m for m in matches if m is not None])
    return parsed


def test_udev_rules_are_well_formed_and_name_each_device() -> None:
    names = set()
    for rule in rules():
        fields = {(m["key"], m["attr"]): (m["op"], m["value"]) for m in rule}
        for m in rule:
            keys = MATCH_KEYS if m["op"] in ("==", "!=") else ASSIGN_KEYS
            assert m["key"] in keys, m.group(0)
        assert fields[("SUBSYSTEM", None)] == ("==", "tty")
        assert re.fullmatch(r"[0-9a-f]{4}", fields[("ATTRS", "idVendor")][1])
        assert re.fullmatch(r"[0-9a-f]{4}", fields[("ATTRS", "idProduct")][1])
        assert fields[("GROUP", None)] == ("=", "dialout")
        assert fields[("MODE", None)] == ("=", "0660")
        op, name = fields[("SYMLINK", None)]
        assert op == "+="
        names.add(name)
    assert names == {"kiosk-thermometer", "kiosk-relay", "kiosk-idcard"}
    relay = next(r for r in rules() if any(m["value"] == "kiosk-relay" for m in r))
    assert {(m["attr"], m["value"]) for m in relay} >= {("idVendor", "1a86"), ("idProduct", "7523")}


@pytest.mark.skipif(shutil.which("udevadm") is None, reason="udevadm missing")
def test_udev_rules_pass_udevadm_verify() -> None:
    result = subprocess.run(["udevadm", "verify", str(RULES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_system_configuration_loads_and_uses_the_stable_names() -> None:
    config = load_kiosk_config(DEPLOY / "kiosk.toml")
    s = config.settings
    assert config.data_dir == Path("/var/lib/campus-kiosk")
    assert config.policy_file == Path("/etc/campus-kiosk/policy.toml")
    assert s.thermometer.port == "/dev/kiosk-thermometer"
    assert s.relay.port == "/dev/kiosk-relay"
    assert s.idcard.port == "/dev/kiosk-idcard"
