"""The gate screen's flows, each through the real service, devices and log."""

from __future__ import annotations

from kiosk.ui.presenter import ScreenState
from tests.ui.conftest import WAIT_MS


def test_a_code_shown_to_the_camera_reaches_the_banner(make_gate, qtbot) -> None:
    gate = make_gate()
    code = gate.codes("S2020001")[0]
    shown: list[ScreenState] = []
    gate.screen.state_shown.connect(shown.append)
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
