"""The demo morning end to end: real decoder, pty devices, SQLite log; every story decided."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(180)
def test_demo_morning_decides_every_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""
[paths]
data_dir = "{tmp_path / "var"}"
policy_file = "{ROOT / "config" / "policy.toml"}"

[thermometer]
window_s = 0.6
""",
        encoding="utf-8",
    )
    assert main(["--config", str(config), "demo", "--console", "--filler", "200"]) == 0
    out = capsys.readouterr().out
    expected = [
        "=> 放行 admit       S2020001",
        "=> 拒绝 reject      S2020002  寒假留校未审批 (STUDENT_NO_STAY_APPROVAL)",
        "(FEVER)",
        "(CATEGORY_BANNED)",
        "=> 放行 admit       王*",
        "ID card: 郑* ",
        "=> 放行 admit       郑*",
        "warnings: LEAVE_OVERDUE",
        "(HEALTH_CODE_NOT_GREEN)",
        "(CHECKIN_MISSING)",
        "(CREDENTIAL_REPLAYED)",
        "(CODE_UNSUPPORTED)",
        "(NAT_EXPIRED)",
        "(RISK_AREA_TRAVEL)",
        "thermometer: 31.9 °C (implausible: retest)",
        "16 decisions logged: 7 admitted, 9 refused",
        "log chain: intact (23 records checked)",  # 16 decisions + 7 relay pulses
        # The registry came from the central server, and every record went back to it.
        "visits filed and approved; synced to the gate: 210 people, 4 visit approvals",
        "outbox: 0 records waiting for the central server",
        "central server's copy: 23 records of gate north, chain intact",
    ]
    for line in expected:
        assert line in out, f"missing {line!r} in demo output:\n{out}"
    assert (tmp_path / "var" / "demo" / "kiosk.db").exists()
