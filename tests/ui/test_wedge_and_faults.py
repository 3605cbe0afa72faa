"""Keyboard-wedge input anywhere on the screen, and faults shown, safe and recovering."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.ui.entry import Entry, classify
from tests.ui.conftest import WAIT_MS

GAP_S = 0.3
"""Generous for a loaded test machine (the UI thread may be late); the rule is the same."""


def _activate(qtbot, screen) -> None:
    screen.raise_()
    screen.activateWindow()

    qtbot.wait(50)


def _type(qtbot, screen, text: str, delay_ms: int = -1) -> None:
    target = QApplication.focusWidget() or screen  # where a real key event would land
    qtbot.keyClicks(target, text, delay=delay_ms)
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_classify_tells_codes_from_identity_numbers() -> None:
    assert classify("HK1:6BF...").kind == "code"
    assert classify("https://code.example/x").kind == "code"
    assert classify("41010519800101123x") == classify("41010519800101123X")
    assert classify("41010519800101123X").kind == "id_number"
    assert classify("V-0001").kind == "approval_no"
    assert classify("V20220120-3FA91C").kind == "approval_no"  # as the central server files
    assert classify("豫A·12345") == classify(" 豫a 12345") == Entry("plate", "豫A12345")
    assert classify("豫AD12345") == Entry("plate", "豫AD12345")  # new-energy plate
    assert classify("豫A1234O").kind == "person_no"  # no O on a plate: not sent as one
    assert classify(" T1001 ").text == "T1001"
    assert classify("T1001").kind == "person_no"


def test_fast_typing_ending_in_enter_is_a_scan_wherever_the_focus_is(make_gate, qtbot) -> None:
    gate = make_gate()
    gate.runtime.wedge.max_gap_s = GAP_S
    screen = gate.screen
    _activate(qtbot, screen)
    retest = screen.panel.buttons["retest"]
    retest.setFocus()
    qtbot.wait(50)
    clicked: list[bool] = []
    retest.clicked.connect(clicked.append)
    _type(qtbot, screen, "T1001")
    qtbot.waitUntil(lambda: screen.state.kind == "admit", timeout=WAIT_MS)
    assert gate.records("decision")[-1]["identified_by"] == ["wedge"]
    assert not clicked  # the scan's Enter did not press the focused button


def test_slow_typing_is_not_a_scan(make_gate, qtbot) -> None:
    gate = make_gate()
    gate.runtime.wedge.max_gap_s = GAP_S
    screen = gate.screen
    screen.activateWindow()
    screen.panel.buttons["retest"].setFocus()
    qtbot.wait(50)
    _type(qtbot, screen, "T1001", delay_ms=int(GAP_S * 2000))
    qtbot.wait(300)
    assert gate.runtime.service.wait_idle(5)
    assert gate.records("decision") == []
    assert screen.state.kind == "idle"


def test_a_frozen_thermometer_is_a_named_fault_that_clears_by_itself(make_gate, qtbot) -> None:
    gate = make_gate(extra="frozen_s = 1.0\n")
    screen = gate.screen
    sim = gate.runtime.devices.thermometer.simulator
    sim.profile = dataclasses.replace(sim.profile, noise_c=0.0, frozen=True)
    qtbot.waitUntil(lambda: screen.fault_strip.isVisible(), timeout=WAIT_MS)
    assert "测温仪" in screen.fault_strip.text()
    assert "thermometer fault" in screen.fault_strip.text()
    assert "测温仪: fault" in screen.status.devices["thermometer"].text()
    # nobody is admitted while it is faulty; the guard's manual path still decides
    screen.wedge_scan("T1001")
    qtbot.waitUntil(lambda: screen.state.kind in ("pending", "reject"), timeout=WAIT_MS)
    assert gate.runtime.service.wait_idle(15)
    qtbot.wait(200)
    assert screen.state.kind != "admit"
    assert all(p["outcome"] != "admit" for p in gate.records("decision"))
    sim.profile = dataclasses.replace(sim.profile, noise_c=0.05, frozen=False)
    qtbot.waitUntil(lambda: not screen.fault_strip.isVisible(), timeout=WAIT_MS)
    assert "测温仪: ready" in screen.status.devices["thermometer"].text()


def test_a_lost_camera_is_named_and_manual_entry_still_works(make_gate, qtbot, tmp_path) -> None:
    gate = make_gate(extra=f'[camera]\nsource = "{tmp_path / "no-such-camera.mp4"}"\n')
    screen = gate.screen
    qtbot.waitUntil(lambda: "摄像头" in screen.fault_strip.text(), timeout=WAIT_MS)
    assert "camera" in screen.fault_strip.text()
    screen.wedge_scan("T1001")
    qtbot.waitUntil(lambda: screen.state.kind == "admit", timeout=WAIT_MS)
