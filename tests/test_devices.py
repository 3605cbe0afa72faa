"""kiosk/devices.py builds every device from kiosk.toml, with every key wired."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from drivers.camera import CaptureListener, SimulatedCamera
from drivers.device import DeviceState, ScaledClock
from drivers.relay import RelaySimulator
from drivers.thermometer import Measurement, ThermometerSimulator
from kiosk.config import load_kiosk_config
from kiosk.core.policy_config import Policy, TemperatureRules
from kiosk.devices import (
    capture_options,
    open_camera,
    open_gate_devices,
    open_turnstile_relay,
    start_thermometer,
)
from kiosk.runtime import RelayTurnstile
from kiosk.settings import ConfigError

WAIT_S = 15.0


def config_file(tmp_path: Path, body: str) -> Path:
    file = tmp_path / "kiosk.toml"
    file.write_text(body, encoding="utf-8")
    return file


class States(CaptureListener):
    def __init__(self) -> None:
        self.states: list[tuple[DeviceState, str]] = []

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.states.append((state, detail))


def test_camera_reconnect_keys_reach_the_capture(tmp_path: Path) -> None:
    missing = tmp_path / "gate.avi"
    config = load_kiosk_config(
        config_file(
            tmp_path,
            f'[camera]\nsource = "{missing}"\nreconnect_max_s = 1.0\nreconnect_attempts = 3\n',
        )
    )
    options = capture_options(config.settings.camera)
    assert (options.backoff_max_s, options.max_attempts) == (1.0, 3)
    listener = States()
    capture = open_camera(config.settings.camera, listener=listener, clock=ScaledClock(20.0))
    with capture:
        capture.join(WAIT_S)
    assert capture.state is DeviceState.FAILED
    assert listener.states[-1] == (DeviceState.FAILED, "could not open after 3 attempts")


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[camera]\nreconnect_max_s = 0.1\n", "camera.reconnect_max_s"),
        ("[camera]\nreconnect_attempts = -1\n", "camera.reconnect_attempts"),
    ],
)
def test_nonsense_reconnect_settings_are_refused(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_kiosk_config(config_file(tmp_path, body))


def test_gate_devices_from_the_configuration(tmp_path: Path) -> None:
    config = load_kiosk_config(
        config_file(
            tmp_path,
            '[camera]\nsource = "sim:?fps=50"\n'
            '[thermometer]\nport = "sim:fever"\nprotocol = "idc50"\n'
            '[relay]\nport = "sim:"\nprotocol = "modbus-coil"\nchannel = 3\n',
        )
    )
    clock = ScaledClock(4.0)
    devices = open_gate_devices(config, Policy(), clock=clock)
    try:
        assert isinstance(devices.capture.source, SimulatedCamera)
        assert isinstance(devices.thermometer.simulator, ThermometerSimulator)
        assert devices.thermometer.protocol.name == "idc50"
        relay_sim = devices.relay.simulator
        assert isinstance(relay_sim, RelaySimulator) and relay_sim.protocol == "modbus-coil"
        assert devices.relay.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        devices.relay.pulse(100)
        assert relay_sim.wait_for_changes(3, timeout_s=WAIT_S)
        assert {c.channel for c in relay_sim.timeline} == {3}
        assert devices.thermometer.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        devices.capture.start()
        assert devices.capture.wait_frame(0, WAIT_S) is not None
        threads = {t.name for t in threading.enumerate()}
        assert {"camera-capture", "thermometer-idc50", "relay-modbus-coil"} <= threads
    finally:
        devices.close()
    assert devices.relay.state is DeviceState.STOPPED
    assert devices.thermometer.state is DeviceState.STOPPED
    assert devices.capture.state is DeviceState.STOPPED


def test_the_policy_plausible_range_is_the_thermometers(tmp_path: Path) -> None:
    config = load_kiosk_config(config_file(tmp_path, '[thermometer]\nport = "sim:normal"\n'))
    strict = TemperatureRules(valid_min_c=37.0, fever_c=37.5, valid_max_c=40.0)
    device = start_thermometer(config.settings.thermometer, strict, clock=ScaledClock(4.0))
    try:
        assert device.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        result = device.measure(window_s=1.0)
    finally:
        device.stop()
    assert isinstance(result, Measurement)
    assert 36.3 <= result.body_c <= 37.0 - 0.01  # a normal person, below the strict minimum
    assert not result.valid and "below 37.0" in result.reason
    assert not strict.is_plausible(result.body_c)


def test_the_turnstile_fails_fast_while_its_relay_reconnects(tmp_path: Path) -> None:
    config = load_kiosk_config(config_file(tmp_path, '[relay]\nport = "sim:"\n'))
    relay = open_turnstile_relay(config.settings.relay, reconnect=True, clock=ScaledClock(10.0))
    turnstile = RelayTurnstile(relay, config.settings.relay.pulse_ms)
    try:
        assert relay.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        assert turnstile.open_turnstile()
        assert relay.simulator is not None
        relay.simulator.unplug()
        assert not turnstile.open_turnstile()  # the cable is gone: no admit through it
        started = time.monotonic()
        assert [turnstile.open_turnstile() for _ in range(5)] == [False] * 5
        assert time.monotonic() - started < 0.2
        assert relay.state is DeviceState.RECONNECTING
        relay.simulator.replug()
        assert relay.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        assert turnstile.open_turnstile()
    finally:
        relay.close()
