"""The demo in a real X window: Debian's xvfb-run, Qt's xcb platform, a screenshot checked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from kiosk.ui.banner import COLOURS
from tests.ui.conftest import ROOT

KIOSK = ROOT / ".venv" / "bin" / "kiosk"


@pytest.mark.timeout(300)
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_the_demo_runs_in_an_xcb_window_under_xvfb(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n'
        f'policy_file = "{ROOT / "config" / "policy.toml"}"\n'
        "[thermometer]\nwindow_s = 0.6\n[sound]\nmuted = true\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(KIOSK), "--config", str(config),
         "demo", "--speed", "50", "--filler", "200", "--out", str(out)],
        capture_output=True, text=True, timeout=280, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    admit = next(name for name in report["screenshots"] if "-admit-" in name)
    image = QImage(str(out / admit))
    assert (image.width(), image.height()) == (1280, 800)
    green = QColor(COLOURS["admit"][0])
    # the banner fills the right of the screen: sample a column of it
    samples = [image.pixelColor(image.width() - 20, y) for y in range(100, 600, 50)]
    assert sum(1 for c in samples if c == green) >= len(samples) // 2
    colours = {image.pixelColor(x, y).rgb() for x in range(0, 1280, 64) for y in range(0, 800, 64)}
    assert len(colours) > 5  # not blank
