"""`kiosk demo` on the gate screen, offscreen: the day ends by itself, with a report of every
decision and a screenshot of every distinct screen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.ui.admin import AdminWindow
from kiosk.ui.banner import COLOURS
from tests.ui.conftest import ROOT

KIOSK = ROOT / ".venv" / "bin" / "kiosk"


@pytest.mark.timeout(240)
def test_the_demo_day_plays_offscreen_and_writes_report_and_screens(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n'
        f'policy_file = "{ROOT / "config" / "policy.toml"}"\n'
        "[thermometer]\nwindow_s = 0.6\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    argv = ["--config", str(config), "demo", "--headless", "--filler", "200", "--out", str(out)]
    # its own process, as a user runs it: the demo ends its QApplication's event loop
    done = subprocess.run(
        [str(KIOSK), *argv], capture_output=True, text=True, timeout=200, check=False
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout
    assert "16 decisions logged: 7 admitted, 9 refused" in printed
    assert f"report: {out / 'report.md'}" in printed
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["decisions"]) == 16
    assert report["admitted"] == 7
    fever = [d for d in report["decisions"] if any(r["code"] == "FEVER" for r in d["reasons"])]
    assert fever and fever[0]["reasons"][0]["zh"]
    gate_shots = [n for n in report["screenshots"] if not n.startswith("admin-")]
    kinds = {name.split("-")[1] for name in gate_shots}
    assert {"idle", "pending", "admit", "reject", "fever"} <= kinds
    assert "en-idle-show-your-code.png" in gate_shots  # the F9 switch, at the end of the day
    last = [n for n in gate_shots if n.startswith("en-") and not n.startswith("en-idle")]
    assert len(last) == 1  # the day's last decision, in English, in its banner's colour
    kind = last[0].split("-")[1]
    assert QImage(str(out / last[0])).pixelColor(1250, 480).name() == COLOURS[kind][0]
    pages = {f"admin-{p}-{loc}.png" for p in AdminWindow.PAGES for loc in ("zh_CN", "en")}
    assert pages <= set(report["screenshots"])
    for name in report["screenshots"]:
        image = QImage(str(out / name))
        assert (image.width(), image.height()) == (1280, 800)
    assert "| S2020001 | admit |" in (out / "report.md").read_text(encoding="utf-8")
