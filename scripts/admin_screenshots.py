"""Screenshots of every admin page in Chinese and English, over a synthetic log:
``docs/screenshots/admin-<page>-<zh_CN|en>.png``.

Run: ``.venv/bin/python -m scripts.admin_screenshots [--out DIR] [--records N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from drivers.camera.result import DecodeResult  # noqa: E402
from drivers.device import DeviceState  # noqa: E402
from drivers.thermometer.frames import Frame  # noqa: E402
from kiosk.config import load_kiosk_config  # noqa: E402
from kiosk.store import open_store  # noqa: E402
from kiosk.ui.admin import AdminWindow, DeviceMonitor, ScanTap, ThermometerTap  # noqa: E402
from kiosk.ui.admin.query import LogFilter  # noqa: E402
from kiosk.ui.admin.sample_log import fill_log  # noqa: E402
from kiosk.ui.admin.screenshots import capture_pages  # noqa: E402
from kiosk.ui.i18n import Languages, use_cjk_font  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LAST_DAY = dt.date(2022, 1, 10)


def settle(window: AdminWindow) -> None:
    while window.runner.busy:
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()


def fed_monitor() -> DeviceMonitor:
    """A monitor fed as a running gate would feed it (simulated thermometer and decoder)."""
    monitor = DeviceMonitor(camera_fps=lambda: 15.0)
    thermo, scan = ThermometerTap(monitor), ScanTap(monitor)
    thermo.on_state(DeviceState.READY, "")
    monitor.camera_state(DeviceState.READY, "sim:")
    for i in range(12):
        thermo.on_frame(Frame(object_c=33.0 + 0.1 * (i % 4), ambient_c=24.5))
    corners = np.zeros((4, 2), np.float32)
    for i, stage in enumerate(["zbar-gray"] * 40 + ["zxing-gray"] * 7 + ["zbar-clahe"] * 3):
        code = DecodeResult(raw=b"x", text="x", points=corners, stage=stage, ms=3.0 + i % 5)
        scan.on_frame_decoded(i, [code], 3.0 + i % 5)
    for i in range(200):
        scan.on_frame_decoded(100 + i, [], 2.5)
    return monitor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/admin_screenshots")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    use_cjk_font(app)
    with tempfile.TemporaryDirectory(prefix="kiosk-shots-") as tmp:
        file = Path(tmp) / "kiosk.toml"
        file.write_text('[paths]\ndata_dir = "data"\n')
        config = load_kiosk_config(file)
        store = open_store(config)
        fill_log(store.engine, args.records, last_day=LAST_DAY, days=3, tz=store.tz)
        languages = Languages("zh_CN")
        window = AdminWindow(store, config, languages, monitor=fed_monitor(), today=LAST_DAY)
        window.resize(1280, 800)
        window.show()
        settle(window)
        start = dt.datetime.combine(LAST_DAY - dt.timedelta(days=1), dt.time(), tzinfo=store.tz)
        window.log_page.set_filter(
            LogFilter(outcome="reject", gate="north", start=start, end=start + dt.timedelta(1))
        )
        window.verify_page.run()
        settle(window)
        window.log_page.table.selectRow(0)
        settle(window)
        saved = []
        for locale in ("zh_CN", "en"):
            languages.switch(locale)
            settle(window)
            saved += capture_pages(window, args.out, locale)
        window.close()
        store.close()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
