"""The gate screen's flows, each through the real service, devices and log."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontInfo

from kiosk.ui.admin import PinDialog
from kiosk.ui.guard import ENTRY_KINDS, ManualEntryDialog, OverrideDialog
from kiosk.ui.i18n import CJK_FAMILIES
from kiosk.ui.presenter import ScreenState
from tests.ui.conftest import ADMIN_PIN, WAIT_MS


def test_a_code_shown_to_the_camera_reaches_the_banner(make_gate, qtbot) -> None:
    gate = make_gate()
    code = gate.codes("S2020001")[0]
    shown: list[ScreenState] = []
    gate.screen.state_shown.connect(shown.append)
    assert gate.camera is not None
    gate.camera.present(code)
    qtbot.waitUntil(lambda: gate.screen.state.kind == "admit", timeout=WAIT_MS)
    assert gate.screen.banner.title_zh.text() == "放行"
    assert "S2020001" in gate.screen.banner.person.text()
    assert gate.screen.banner.temperature.text().endswith("°C")
    assert [s.kind for s in shown][-1] == "admit"
    assert "pending" in [s.kind for s in shown]  # asked to measure the temperature first
    decisions = gate.records("decision")
    assert decisions[-1]["outcome"] == "admit"
    assert decisions[-1]["identified_by"] == ["camera"]


def _skin(gate, celsius: float) -> None:
    sim = gate.runtime.devices.thermometer.simulator
    sim.profile = dataclasses.replace(sim.profile, object_c=celsius)


def _audits(gate) -> list[str]:
    return [p["event"] for p in gate.records("audit")]


def test_switch_direction_by_shortcut_is_logged_and_shown(make_gate, qtbot) -> None:
    gate = make_gate()
    screen = gate.screen
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(screen, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: screen.status.direction == "out", timeout=WAIT_MS)
    assert "出校" in screen.status.gate.text()  # the default language: Chinese
    assert gate.runtime.service.wait_idle(5)
    assert "direction_changed" in _audits(gate)


def test_manual_entry_by_the_guard_is_decided_and_logged(make_gate, qtbot) -> None:
    gate = make_gate()
    screen = gate.screen
    screen.panel.buttons["manual"].click()
    dialog = screen.dialog
    assert isinstance(dialog, ManualEntryDialog)
    dialog.kind.setCurrentIndex(ENTRY_KINDS.index("person_no"))
    dialog.text.setText("T1001")
    dialog.accept()
    qtbot.waitUntil(lambda: screen.state.kind == "admit", timeout=WAIT_MS)
    assert gate.records("decision")[-1]["identified_by"] == ["guard"]


def test_retest_by_the_guard_is_logged(make_gate, qtbot) -> None:
    gate = make_gate()
    _skin(gate, 31.0)  # implausible: the gate asks for a retest
    gate.screen.wedge_scan(gate.codes("S2020001")[0])
    qtbot.waitUntil(
        lambda: gate.screen.state.prompt is not None
        and gate.screen.state.prompt[1].startswith("Measure your temperature again"),
        timeout=WAIT_MS,
    )
    assert gate.runtime.service.wait_idle(10)
    _skin(gate, 35.8)
    gate.screen.panel.buttons["retest"].click()
    qtbot.waitUntil(lambda: gate.screen.state.kind == "admit", timeout=WAIT_MS)
    assert "retest_requested" in _audits(gate)


def test_override_of_a_soft_rule_needs_no_pin_and_is_logged(make_gate, qtbot) -> None:
    gate = make_gate()
    gate.screen.wedge_scan(gate.codes("S2020002")[0])  # no stay approval over the break
    qtbot.waitUntil(lambda: gate.screen.state.kind == "reject", timeout=WAIT_MS)
    gate.screen.guard_action("override")
    dialog = gate.screen.dialog
    assert isinstance(dialog, OverrideDialog) and not dialog.needs_pin
    dialog.reason.setCurrentIndex(dialog.reason.findData("REGISTRY_CONFIRMED_BY_PHONE"))
    dialog.accept()
    qtbot.waitUntil(lambda: gate.screen.state.kind == "admit", timeout=WAIT_MS)
    last = gate.records("decision")[-1]
    assert last["override"]["reason"] == "REGISTRY_CONFIRMED_BY_PHONE"
    assert last["override"]["by"] == "guard"


def test_fever_stays_until_acknowledged_then_pin_lockout(make_gate, qtbot) -> None:
    gate = make_gate(extra="[admin]\nmax_attempts = 2\nlockout_s = 600\n")
    screen = gate.screen
    _skin(gate, 37.8)
    screen.wedge_scan(gate.codes("S2020001")[0])
    qtbot.waitUntil(lambda: screen.state.kind == "fever", timeout=WAIT_MS)
    fever_tx = screen.state.tx_id
    assert screen.banner.title_en.text() == "Fever alert"
    # a hard rule: two wrong PINs lock the checker; the right one is then refused too
    for pin in ("000000", "111111"):
        screen.guard_action("override")
        dialog = screen.dialog
        assert isinstance(dialog, OverrideDialog) and dialog.needs_pin
        dialog.pin.setText(pin)
        dialog.accept()
        assert gate.runtime.service.wait_idle(10)
    qtbot.waitUntil(lambda: "admin PIN wrong" in screen.guard_note.text(), timeout=WAIT_MS)
    assert gate.runtime.pin_checker.locked
    screen.guard_action("override")
    dialog = screen.dialog
    assert isinstance(dialog, OverrideDialog) and not dialog.pin.isEnabled()
    dialog.reject()
    refused = [p for p in gate.records("audit") if p["event"] == "override_refused"]
    assert len(refused) == 2
    # the next person does not replace the fever banner
    _skin(gate, 35.8)
    gate.clock.advance(dt.timedelta(seconds=30))
    screen.wedge_scan(gate.codes("T1001")[0])
    assert gate.runtime.service.wait_idle(10)
    qtbot.wait(100)
    assert screen.state.kind == "fever" and screen.state.tx_id == fever_tx
    screen.guard_action("fever")
    qtbot.waitUntil(lambda: screen.state.kind != "fever", timeout=WAIT_MS)
    assert "fever_acknowledged" in _audits(gate)


def test_host_confirmed_by_phone_admits_the_waiting_visitor(make_gate, qtbot) -> None:
    gate = make_gate()
    screen = gate.screen
    for code in gate.codes("王芳"):  # as at the gate: the slip only if still asked for
        screen.wedge_scan(code)
        assert gate.runtime.service.wait_idle(10)
        if gate.runtime.service.snapshot().current is None:
            break
    qtbot.waitUntil(
        lambda: screen.state.prompt == ("请等待接洽人员", "Waiting for your host"),
        timeout=WAIT_MS,
    )
    assert screen.banner.countdown.isVisible()
    assert screen.banner.countdown.text().startswith("10:00")  # ten minutes, counting down
    screen.guard_action("host")
    qtbot.waitUntil(lambda: screen.state.kind == "admit", timeout=WAIT_MS)
    last = gate.records("decision")[-1]
    assert last["host_confirmed_by_guard"] is True


def test_chinese_is_drawn_with_a_cjk_font(make_gate) -> None:
    gate = make_gate()
    family = QFontInfo(gate.screen.banner.title_zh.font()).family()
    assert family in CJK_FAMILIES, family


def test_f9_switches_the_language_at_run_time(make_gate, qtbot) -> None:
    gate = make_gate()
    companions = gate.runtime.companions
    assert companions.languages.locale == "zh_CN"
    gate.screen.activateWindow()
    gate.screen.guard_action("language")
    assert companions.languages.locale == "en"
    assert companions.sound.locale == "en"  # spoken prompts follow
    gate.screen.guard_action("language")
    assert companions.languages.locale == "zh_CN"


def test_a_listed_plate_typed_by_the_guard_is_admitted_and_logged(make_gate, qtbot) -> None:
    gate = make_gate()
    screen = gate.screen
    screen.panel.buttons["manual"].click()
    dialog = screen.dialog
    assert isinstance(dialog, ManualEntryDialog)
    dialog.kind.setCurrentIndex(ENTRY_KINDS.index("plate"))
    assert dialog.kind.currentText() == "车牌"
    dialog.text.setText("豫a·123 45")  # as typed: lower case, dot and space
    dialog.accept()
    qtbot.waitUntil(lambda: screen.state.kind == "admit", timeout=WAIT_MS)
    assert "豫A·12345" in screen.banner.person.text()
    last = gate.records("decision")[-1]
    assert last["outcome"] == "admit"
    assert last["subject"]["plate"] == "豫A12345"
    assert last["identified_by"] == ["guard"]


def test_an_unknown_plate_from_the_wedge_is_refused_with_its_reason(make_gate, qtbot) -> None:
    gate = make_gate()
    screen = gate.screen
    screen.wedge_scan("京B88888")
    qtbot.waitUntil(lambda: screen.state.kind == "reject", timeout=WAIT_MS)
    assert "无关车辆禁止入校" in screen.banner.reasons.text()
    assert "京B·88888" in screen.banner.person.text()
    last = gate.records("decision")[-1]
    assert last["outcome"] == "reject"
    assert last["reasons"] == ["VEHICLE_NOT_AUTHORIZED"]
    assert last["subject"]["plate"] == "京B88888"
    assert last["identified_by"] == ["wedge"]


def test_f12_admin_window_shows_the_gates_own_devices(make_gate, qtbot, qapp) -> None:
    gate = make_gate()
    assert gate.camera is not None
    gate.camera.present(gate.codes("S2020001")[0])
    qtbot.waitUntil(lambda: gate.screen.state.kind == "admit", timeout=WAIT_MS)

    def type_pin() -> None:
        dialog = qapp.activeModalWidget()
        assert isinstance(dialog, PinDialog)
        dialog.pin.setText(ADMIN_PIN)
        dialog.buttons.accepted.emit()

    QTimer.singleShot(50, type_pin)
    gate.screen.guard_action("admin")
    window = gate.runtime.companions.admin
    assert window is not None
    page = window.show_page("devices")
    qtbot.waitUntil(lambda: page.snapshot is not None and len(page.snapshot.frames) > 0)
    snapshot = page.snapshot
    assert snapshot.thermometer_state == "ready" and snapshot.camera_state == "ready"
    assert snapshot.frames_with_code >= 1 and snapshot.camera_fps
    assert "zxing" in [s.stage for s in snapshot.stages]
    assert "°C" in page.frames.toPlainText()
    window.close()
