"""The admin window: PIN with lockout before it opens, chain verification shown, charts
counting what SQL counts, registry status, devices page, Chinese/English at run time."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries
from PySide6.QtCore import Qt, QTimer

from drivers.camera.result import DecodeResult
from drivers.device import DeviceState
from drivers.thermometer.frames import Frame
from kiosk.admin_pin import PinChecker, set_pin
from kiosk.config import KioskConfig
from kiosk.runtime import admin_pin_checker
from kiosk.store import Store
from kiosk.ui.admin import (
    AdminWindow,
    DeviceMonitor,
    PinDialog,
    ScanTap,
    ThermometerTap,
    open_admin,
)
from kiosk.ui.admin.log_model import column_of
from kiosk.ui.admin.sample_log import fill_log
from kiosk.ui.i18n import Languages
from tests.ui.conftest import LAST_DAY
from tests.ui.helpers import settle, wait_until

PIN = "482615"


def admin_events(db: Path, event: str) -> int:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT payload FROM log_events WHERE kind = 'audit'").fetchall()
    finally:
        conn.close()
    return sum(1 for (text,) in rows if json.loads(text).get("event") == event)


def test_wrong_pins_lock_the_admin_screen(
    qapp: Any, qtbot: Any, admin_config: KioskConfig, languages: Languages
) -> None:
    set_pin(admin_config.secret_path(admin_config.settings.admin.pin_file), PIN)
    now = [0.0]
    real = admin_pin_checker(admin_config)
    checker = PinChecker(real.path, real.max_attempts, 60, clock=lambda: now[0])
    dialog = PinDialog(checker)
    qtbot.addWidget(dialog)
    for _ in range(3):  # [admin] max_attempts = 3
        qtbot.keyClicks(dialog.pin, "111111")
        assert not dialog.try_pin()
    assert checker.locked
    assert not dialog.pin.isEnabled()
    assert "锁定" in dialog.message.text()
    dialog.pin.setEnabled(True)
    qtbot.keyClicks(dialog.pin, PIN)
    assert not dialog.try_pin()  # the right PIN is refused while locked
    assert dialog.result() != PinDialog.DialogCode.Accepted
    now[0] = 61.0
    dialog2 = PinDialog(checker)
    qtbot.addWidget(dialog2)
    assert dialog2.pin.isEnabled()
    qtbot.keyClicks(dialog2.pin, PIN)
    assert dialog2.try_pin()
    assert dialog2.result() == PinDialog.DialogCode.Accepted


def test_open_admin_asks_for_the_pin_and_logs_the_opening(
    qapp: Any, admin_store: Store, admin_config: KioskConfig, languages: Languages
) -> None:
    set_pin(admin_config.secret_path(admin_config.settings.admin.pin_file), PIN)
    checker = admin_pin_checker(admin_config)
    db = admin_config.data_dir / "kiosk.db"

    def answer(pin: str | None) -> None:
        def type_it() -> None:
            dialog = qapp.activeModalWidget()
            assert isinstance(dialog, PinDialog)
            if pin is None:
                dialog.reject()
            else:
                dialog.pin.setText(pin)
                dialog.buttons.accepted.emit()
                if dialog.isVisible():  # a wrong PIN keeps the dialog up: give up
                    dialog.reject()

        QTimer.singleShot(50, type_it)

    answer(None)
    assert open_admin(admin_store, admin_config, checker, languages) is None
    answer("000000")
    assert open_admin(admin_store, admin_config, checker, languages) is None
    assert admin_events(db, "admin_opened") == 0
    answer(PIN)
    window = open_admin(admin_store, admin_config, checker, languages, today=LAST_DAY)
    assert isinstance(window, AdminWindow)
    settle(window.runner)
    assert admin_events(db, "admin_opened") == 1
    window.close()


def test_verification_shows_intact_then_tampered(
    qapp: Any, admin_store: Store, admin_config: KioskConfig, languages: Languages
) -> None:
    at = dt.datetime(2022, 1, 10, 1, 0, tzinfo=dt.UTC)
    for i in range(5):
        admin_store.log.append(
            "decision", at + dt.timedelta(minutes=i),
            {"outcome": "admit", "reasons": [], "subject": {"person_no": f"S{i}"}},
            gate="north", outcome="admit", person_no=f"S{i}",
        )
    window = AdminWindow(admin_store, admin_config, languages, today=LAST_DAY)
    settle(window.runner)
    page = window.verify_page
    page.run()
    settle(window.runner)
    assert page.report is not None and page.report.ok
    assert page.result.text().startswith("完整")
    assert "6" in page.result.text()  # five decisions and the admin_opened record

    conn = sqlite3.connect(admin_config.data_dir / "kiosk.db")
    conn.execute(
        "UPDATE log_events SET payload = replace(payload, '\"admit\"', '\"reject\"') WHERE seq = 3"
    )
    conn.commit()
    conn.close()
    page.run()
    settle(window.runner)
    assert page.report is not None and not page.report.ok
    assert page.result.text().startswith("已被篡改")
    assert "3" in page.problems.toPlainText()
    assert admin_events(admin_config.data_dir / "kiosk.db", "admin_verify") == 2
    window.close()


def sql_day_counts(db: Path, day: dt.date, tz: ZoneInfo) -> tuple[Counter[int], Counter[int],
                                                                  Counter[int], Counter[str]]:
    """Admits, rejects and overrides per local hour and reject reasons, read with sqlite3."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    end = start + dt.timedelta(days=1)
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT at, outcome, payload FROM log_events"
        " WHERE kind = 'decision' AND at >= ? AND at < ?",
        (start.replace(tzinfo=None).isoformat(" "), end.replace(tzinfo=None).isoformat(" ")),
    ).fetchall()
    conn.close()
    admits: Counter[int] = Counter()
    rejects: Counter[int] = Counter()
    overrides: Counter[int] = Counter()
    reasons: Counter[str] = Counter()
    for at, outcome, text in rows:
        hour = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC).astimezone(tz).hour
        payload = json.loads(text)
        if outcome == "admit":
            admits[hour] += 1
        elif outcome == "reject":
            rejects[hour] += 1
            reasons.update(payload["reasons"])
        if payload.get("override"):
            overrides[hour] += 1
    return admits, rejects, overrides, reasons


def test_charts_show_the_counts_sql_gives(
    qapp: Any, admin_store: Store, admin_config: KioskConfig, languages: Languages
) -> None:
    fill_log(admin_store.engine, 6_000, last_day=LAST_DAY, days=3, tz=admin_store.tz)
    window = AdminWindow(admin_store, admin_config, languages, today=LAST_DAY)
    settle(window.runner)
    page = window.charts_page
    stats = page.stats
    assert stats is not None and stats.day == LAST_DAY
    admits, rejects, overrides, reasons = sql_day_counts(
        admin_config.data_dir / "kiosk.db", LAST_DAY, ZoneInfo("Asia/Shanghai")
    )
    assert stats.admits == [admits[h] for h in range(24)]
    assert stats.rejects == [rejects[h] for h in range(24)]
    assert stats.overrides == [overrides[h] for h in range(24)]
    assert stats.total_rejects > 100 and stats.total_overrides > 0
    top = reasons.most_common()
    assert [n for _r, n in stats.top_reasons] == [n for _r, n in top[: len(stats.top_reasons)]]
    assert dict(stats.top_reasons) == {r: reasons[r] for r, _n in stats.top_reasons}

    hourly = page.hourly.chart().series()[0]
    assert isinstance(hourly, QBarSeries)
    drawn = {s.label(): [int(s.at(h)) for h in range(24)] for s in hourly.barSets()}
    assert drawn == {"放行": stats.admits, "拒绝": stats.rejects, "人工放行": stats.overrides}
    bars = page.reasons.chart().series()[0]
    assert isinstance(bars, QHorizontalBarSeries)
    drawn_top = [int(bars.barSets()[0].at(i)) for i in range(bars.barSets()[0].count())]
    assert drawn_top == [n for _r, n in reversed(stats.top_reasons)]
    assert str(stats.total_admits) in page.totals.text()

    page.set_day(LAST_DAY - dt.timedelta(days=1))
    settle(window.runner)
    assert page.stats is not None and page.stats.day == LAST_DAY - dt.timedelta(days=1)
    window.close()


def test_language_switches_at_run_time(
    qapp: Any, admin_store: Store, admin_config: KioskConfig, languages: Languages
) -> None:
    admin_store.log.append(
        "decision", dt.datetime(2022, 1, 10, 1, 0, tzinfo=dt.UTC),
        {"outcome": "reject", "reasons": ["FEVER"], "direction": "in",
         "subject": {"person_no": "S9", "role": "student"}},
        gate="north", outcome="reject", person_no="S9",
    )
    window = AdminWindow(admin_store, admin_config, languages, today=LAST_DAY)
    settle(window.runner)
    model = window.log_page.model

    def reasons_cell() -> str:
        row = next(i for i in range(model.rowCount()) if model.row(i).person_no == "S9")
        return str(model.index(row, column_of("reasons")).data())

    assert window.tabs.tabText(0) == "日志"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "时间"
    assert reasons_cell().startswith("体温异常")
    languages.switch("en")
    assert window.tabs.tabText(0) == "Log"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Time"
    assert reasons_cell().startswith("Temperature")
    assert window.log_page.apply_button.text() == "Search"
    assert languages.toggle() == "zh_CN"
    assert window.tabs.tabText(1) == "统计图"
    assert window.verify_page.button.text() == "校验日志链"
    window.close()


def test_registry_and_devices_pages(
    qapp: Any, admin_store: Store, admin_config: KioskConfig, languages: Languages
) -> None:
    fps = [14.8]
    monitor = DeviceMonitor(camera_fps=lambda: fps[0])
    thermo = ThermometerTap(monitor)
    scan = ScanTap(monitor)
    thermo.on_state(DeviceState.READY, "")
    for value in (33.1, 33.4, 33.2):
        thermo.on_frame(Frame(object_c=value, ambient_c=24.5))
    corners = np.zeros((4, 2), np.float32)
    code = DecodeResult(raw=b"x", text="x", points=corners, stage="zbar-gray", ms=4.0)
    scan.on_frame_decoded(1, [code], 4.0)
    scan.on_frame_decoded(2, [], 2.0)
    window = AdminWindow(admin_store, admin_config, languages, monitor=monitor, today=LAST_DAY)
    window.show()
    settle(window.runner)
    registry = window.registry_page
    assert registry.view is not None
    assert registry.view.backlog.get("pending", 0) >= 1  # the admin_opened record
    assert registry.synced.text() == "从未"
    devices = window.show_page("devices")
    assert devices is window.devices_page
    wait_until(lambda: window.devices_page.snapshot is not None)
    page = window.devices_page
    assert "33.20 °C / 24.50 °C" in page.frames.toPlainText().splitlines()[0]
    assert "14.8" in page.camera.text()
    stage = page.stages.item(0, 0)
    assert stage is not None and stage.text() == "zbar-gray"
    assert "2" in page.decoder.text()
    thermo.on_frame(Frame(object_c=35.0))
    wait_until(lambda: "35.00 °C" in page.frames.toPlainText().splitlines()[0])
    window.close()
    assert not page.timer.isActive()


def test_form_labels_are_shown_in_both_languages(
    qapp: Any, admin_store: Store, admin_config: KioskConfig, languages: Languages
) -> None:
    window = AdminWindow(admin_store, admin_config, languages, today=LAST_DAY)
    settle(window.runner)
    assert [label.text() for label in window.registry_page.form_labels] == [
        "名单版本", "上次同步", "待上传记录"
    ]
    languages.switch("en")
    assert [label.text() for label in window.devices_page.form_labels] == [
        "Thermometer", "Camera", "Decoder"
    ]
    window.close()
