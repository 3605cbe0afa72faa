"""The UI thread never waits on devices, SQL or the relay: its longest stall while the camera
decodes at 15 fps, the thermometer measures, the relay pulses and the log is written."""

from __future__ import annotations

import datetime as dt
import threading

from kiosk.ui.stall import StallMeter
from tests.ui.conftest import WAIT_MS

STALL_LIMIT_MS = 3000.0
"""Far above the 50 ms goal: on a shared 2-core machine under load the process alone waits
for a core that long (590 ms seen while five suites ran, 1.9 s once at load average 4). The
bound catches a screen that blocks its thread for seconds (a server timeout, a stuck device);
shorter blocking calls are kept off the UI thread by design, not by this bound.
`scripts/bench screen` reports the figure beside the bare service."""


def test_the_ui_thread_stays_responsive_while_every_part_is_busy(make_gate, qtbot) -> None:
    gate = make_gate(hold_s=0.2)
    assert gate.camera is not None
    ui_thread = threading.current_thread()
    meter = StallMeter()
    meter.start()
    admitted = 0
    for who in ("S2020001", "T1001", "S2020005", "T1001", "S2020001"):
        gate.clock.advance(dt.timedelta(minutes=1))
        before = len(gate.records("decision"))
        gate.camera.present(gate.codes(who)[0])
        qtbot.waitUntil(lambda b=before: len(gate.records("decision")) > b, timeout=WAIT_MS)
        admitted += gate.records("decision")[-1]["outcome"] == "admit"
        qtbot.wait(1000)  # the camera shows each code for 0.8 s
    meter.stop()
    assert gate.runtime.service.wait_idle(10)
    assert admitted >= 4 and len(gate.runtime.devices.relay.simulator.pulses()) >= 4
    assert gate.screen.preview.frames_shown > 30  # the preview ran throughout
    assert threading.current_thread() is ui_thread
    print(f"UI thread's longest stall: {meter.worst_ms:.1f} ms over {meter.ticks} ticks")
    assert meter.ticks > 200
    assert meter.worst_ms < STALL_LIMIT_MS
