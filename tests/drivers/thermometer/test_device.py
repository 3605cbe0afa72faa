"""The port loop against simulators over real ptys (no mocks)."""

from __future__ import annotations

import threading

import pytest

from drivers.device import ScaledClock
from drivers.thermometer import (
    DeviceState,
    Frame,
    HealthLimits,
    Measurement,
    MeasurementError,
    MeasureResult,
    ThermometerDevice,
    ThermometerListener,
    ThermometerSimulator,
    make_protocol,
    open_thermometer,
)
from drivers.thermometer.protocols import gy_mcu90614 as gy
from drivers.thermometer.simulator import PROFILES, Profile

WAIT_S = 15.0  # generous: a loaded 2-core machine
PLAUSIBLE_C = (34.0, 42.0)  # the policy's default temperature.valid_min_c / valid_max_c
SPEED = 4.0  # device time runs this much faster than the wall clock; bytes still cross ptys


@pytest.fixture
def clock() -> ScaledClock:
    """One clock shared by the driver and its simulator."""
    return ScaledClock(SPEED)


class Recorder(ThermometerListener):
    def __init__(self) -> None:
        self.states: list[DeviceState] = []
        self.frames: list[Frame] = []
        self.results: list[MeasureResult] = []
        self.got_result = threading.Event()

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.states.append(state)

    def on_frame(self, frame: Frame) -> None:
        self.frames.append(frame)

    def on_measurement(self, result: MeasureResult) -> None:
        self.results.append(result)
        self.got_result.set()


@pytest.mark.parametrize("protocol", ["gy-mcu90614", "idc50", "modbus-rtu", "mlx-stick", "regex"])
def test_every_protocol_measures_a_normal_person(protocol: str, clock: ScaledClock) -> None:
    with open_thermometer("sim:normal", protocol, clock=clock, plausible_c=PLAUSIBLE_C) as dev:
        assert dev.wait_for_state(DeviceState.READY, timeout_s=WAIT_S), dev.detail
        result = dev.measure(window_s=1.0, min_frames=3)
    assert isinstance(result, Measurement), result
    assert result.valid and 36.3 <= result.body_c <= 37.2
    assert result.frames >= 3
    if protocol == "idc50":
        assert result.mode == "body" and result.ambient_c is None
    else:
        assert result.object_c == pytest.approx(35.9, abs=0.3)
        assert result.ambient_c == pytest.approx(24.0, abs=0.2)


def test_fever_and_cold_forehead(clock: ScaledClock) -> None:
    with open_thermometer(
        "sim:fever", "gy-mcu90614", offset_c=0.9, clock=clock, plausible_c=PLAUSIBLE_C
    ) as dev:
        fever = dev.measure(window_s=1.0)
    assert isinstance(fever, Measurement) and fever.valid and fever.body_c >= 38.0
    with open_thermometer("sim:cold", "gy-mcu90614", clock=clock, plausible_c=PLAUSIBLE_C) as dev:
        cold = dev.measure(window_s=1.0)
    assert isinstance(cold, Measurement) and not cold.valid and "below 34.0" in cold.reason
    assert cold.object_c == pytest.approx(32.0, abs=0.3)  # raw value kept


def test_noisy_stream_with_garbage_still_measures(clock: ScaledClock) -> None:
    with open_thermometer("sim:noisy", "gy-mcu90614", clock=clock, plausible_c=PLAUSIBLE_C) as dev:
        result = dev.measure(window_s=1.0)
    assert isinstance(result, Measurement) and result.frames >= 3


def test_checksum_errors_become_a_fault_and_measurement_is_an_error(clock: ScaledClock) -> None:
    with open_thermometer(
        "sim:checksum", "gy-mcu90614", clock=clock, plausible_c=PLAUSIBLE_C
    ) as dev:
        assert dev.wait_for_state(DeviceState.FAULT, timeout_s=WAIT_S)
        result = dev.measure(window_s=0.5)
    assert isinstance(result, MeasurementError) and "fault" in result.reason


def test_frozen_values_become_a_fault(clock: ScaledClock) -> None:
    limits = HealthLimits(frozen_s=1.0)
    with open_thermometer(
        "sim:frozen", "gy-mcu90614", limits=limits, clock=clock, plausible_c=PLAUSIBLE_C
    ) as dev:
        assert dev.wait_for_state(DeviceState.FAULT, timeout_s=WAIT_S)
        assert "frozen" in dev.detail
        assert isinstance(dev.measure(window_s=0.5), MeasurementError)


def test_ambient_out_of_range_is_a_fault(clock: ScaledClock) -> None:
    with open_thermometer(
        "sim:hot-ambient", "gy-mcu90614", clock=clock, plausible_c=PLAUSIBLE_C
    ) as dev:
        assert dev.wait_for_state(DeviceState.FAULT, timeout_s=WAIT_S)
        assert "ambient" in dev.detail


def test_modbus_exception_replies_become_a_fault(clock: ScaledClock) -> None:
    with open_thermometer(
        "sim:normal",
        "modbus-rtu",
        options={"register": "0x30"},
        clock=clock,
        plausible_c=PLAUSIBLE_C,
    ) as dev:
        assert dev.wait_for_state(DeviceState.FAULT, timeout_s=WAIT_S)
        assert "illegal data address" in dev.detail


def test_query_modes_send_the_documented_commands(clock: ScaledClock) -> None:
    proto = make_protocol("gy-mcu90614", {"query": "true", "poll_hz": "10"})
    with (
        ThermometerSimulator(proto, clock=clock) as sim,
        ThermometerDevice(sim.port, proto, clock=clock, plausible_c=PLAUSIBLE_C) as dev,
    ):
        assert dev.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        assert isinstance(dev.measure(window_s=0.6), Measurement)
    assert sim.requests and set(sim.requests) == {gy.QUERY}


def test_unplugged_mid_stream_then_reconnects_after_replug(clock: ScaledClock) -> None:
    proto = make_protocol("gy-mcu90614")
    profile = Profile("unplug-once", unplug_after_s=0.5)
    rec = Recorder()
    with ThermometerSimulator(proto, profile, clock=clock) as sim:
        dev = ThermometerDevice(
            sim.port, proto, listener=rec, clock=clock, plausible_c=PLAUSIBLE_C
        ).start()
        try:
            assert dev.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
            assert dev.wait_for_state(DeviceState.RECONNECTING, timeout_s=WAIT_S)
            assert "port lost" in dev.detail or "cannot open" in dev.detail
            assert isinstance(dev.measure(window_s=0.3), MeasurementError)
            object.__setattr__(sim, "profile", PROFILES["normal"])
            sim.replug()
            assert dev.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
            assert isinstance(dev.measure(window_s=0.6), Measurement)
        finally:
            dev.stop()
    assert rec.states.count(DeviceState.READY) >= 2
    assert rec.states[-1] is DeviceState.STOPPED
    assert rec.frames


def test_non_blocking_measurement_reports_to_the_listener(clock: ScaledClock) -> None:
    rec = Recorder()
    with open_thermometer(
        "sim:normal", "idc50", listener=rec, clock=clock, plausible_c=PLAUSIBLE_C
    ) as dev:
        assert dev.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        dev.start_measurement(window_s=1.0, min_frames=3)
        assert rec.got_result.wait(WAIT_S)
    (result,) = rec.results
    assert isinstance(result, Measurement) and result.frames >= 3


def test_stale_when_the_device_goes_quiet(clock: ScaledClock) -> None:
    proto = make_protocol("mlx-stick", {"poll_hz": "5"})
    with ThermometerSimulator(proto, clock=clock) as sim:
        with ThermometerDevice(
            sim.port, proto, limits=HealthLimits(stale_s=0.5), clock=clock, plausible_c=PLAUSIBLE_C
        ) as dev:
            assert dev.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
            object.__setattr__(sim, "on_input", lambda data, now: b"")  # stops answering
            assert dev.wait_for_state(DeviceState.STALE, timeout_s=WAIT_S)


def test_missing_port_keeps_connecting_and_measure_is_an_error(
    tmp_path, clock: ScaledClock
) -> None:
    with ThermometerDevice(
        str(tmp_path / "ttyUSB9"), make_protocol("idc50"), clock=clock, plausible_c=PLAUSIBLE_C
    ) as dev:
        assert isinstance(dev.measure(window_s=0.2), MeasurementError)
        assert dev.state is DeviceState.CONNECTING


def test_measure_before_start_is_an_error() -> None:
    dev = ThermometerDevice("/dev/null-port", make_protocol("idc50"), plausible_c=PLAUSIBLE_C)
    result = dev.measure(window_s=0.1)
    assert isinstance(result, MeasurementError) and "not running" in result.reason
