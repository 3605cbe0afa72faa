"""Relay drivers against LCUS and Modbus coil simulators over real ptys."""

from __future__ import annotations

import time

import pytest

from drivers.device import DeviceListener, ScaledClock
from drivers.relay import DeviceState, RelayDevice, RelayError, RelaySimulator
from drivers.relay.protocols import (
    check_echo,
    lcus_command,
    parse_read_coils_reply,
    read_coils_request,
)
from drivers.serial_link.modbus_rtu import write_coil_request

H = bytes.fromhex
WAIT_S = 15.0  # generous: a loaded 2-core machine


@pytest.mark.parametrize(
    ("channel", "on", "frame"),
    [(1, True, "A0 01 01 A2"), (1, False, "A0 01 00 A1"), (2, True, "A0 02 01 A3"),
     (2, False, "A0 02 00 A2"), (4, True, "A0 04 01 A5"), (8, False, "A0 08 00 A8")],
)
def test_lcus_documented_frames(channel: int, on: bool, frame: str) -> None:
    assert lcus_command(channel, on) == H(frame)


def test_modbus_coil_documented_frames() -> None:
    assert write_coil_request(1, 0, True) == H("01 05 00 00 FF 00 8C 3A")
    assert write_coil_request(1, 0, False) == H("01 05 00 00 00 00 CD CA")
    assert write_coil_request(1, 1, True) == H("01 05 00 01 FF 00 DD FA")
    assert read_coils_request(1, 0, 1) == H("01 01 00 00 00 01 FD CA")
    assert read_coils_request(1, 0, 4) == H("01 01 00 00 00 04 3D C9")
    assert parse_read_coils_reply(H("01 01 01 00 51 88"), 1, 4) == [False] * 4
    assert parse_read_coils_reply(H("01 01 01 01 90 48"), 1, 4) == [True, False, False, False]
    with pytest.raises(ValueError, match="does not echo"):
        check_echo(H("01 05 00 00 FF 00 8C 3A"), H("01 05 00 00 00 00 CD CA"))


@pytest.mark.parametrize("protocol", ["lcus", "modbus-coil"])
def test_pulse_length_is_recorded_by_the_board(protocol: str) -> None:
    with RelaySimulator(protocol) as sim, RelayDevice(sim.port, protocol, channel=2) as relay:
        relay.initialise()
        assert relay.state is DeviceState.READY
        relay.pulse(300)
        assert relay.state is DeviceState.READY
        assert sim.wait_for_changes(3, timeout_s=10)
    assert [c.on for c in sim.timeline] == [False, True, False]
    (duration,) = sim.pulses(channel=2)
    # Each command is stamped when the simulator's thread reads it: on a loaded machine the
    # "on" stamp can be late by tens of ms, which shortens the span seen; a pulse that is not
    # held (no wait between on and off) still fails the lower bound.
    assert 0.2 <= duration <= 1.5
    assert sim.coils == [False] * 8


def test_short_pulse_is_refused() -> None:
    relay = RelayDevice("/dev/null-port", "lcus")
    with pytest.raises(ValueError, match="at least 100"):
        relay.pulse(50)


def test_never_pulses_before_initialisation() -> None:
    with RelaySimulator("lcus") as sim, RelayDevice(sim.port, "lcus") as relay:
        with pytest.raises(RelayError, match="refusing"):
            relay.pulse(200)
    assert sim.timeline == []


def test_failed_off_is_a_fault_until_reinitialised() -> None:
    with RelaySimulator("modbus-coil", "stuck-on") as sim:
        with RelayDevice(sim.port, "modbus-coil") as relay:
            relay.initialise()
            with pytest.raises(RelayError, match="reads on"):
                relay.pulse(150)
            assert relay.state is DeviceState.FAULT
            with pytest.raises(RelayError, match="refusing"):
                relay.pulse(150)
            assert [c.on for c in sim.timeline] == [False, True]  # no second pulse
            with pytest.raises(RelayError):
                relay.initialise()  # the board still reads "on"
            sim.coils[0] = False
            relay.initialise()
            assert relay.state is DeviceState.READY


def test_unplugged_during_a_pulse_is_a_fault() -> None:
    with RelaySimulator("lcus", "unplug-after-on") as sim:
        with RelayDevice(sim.port, "lcus") as relay:
            relay.initialise()
            with pytest.raises(RelayError, match="port lost"):
                relay.pulse(150)
            assert relay.state is DeviceState.FAULT
            with pytest.raises(RelayError, match="cannot open"):
                relay.initialise()


@pytest.mark.parametrize(("profile", "message"), [("silent", "no reply"), ("bad-echo", "echo")])
def test_modbus_board_that_does_not_echo(profile: str, message: str) -> None:
    with (
        RelaySimulator("modbus-coil", profile) as sim,
        RelayDevice(sim.port, "modbus-coil", reply_timeout_s=0.1) as r,
    ):
        with pytest.raises(RelayError, match=message):
            r.initialise()
        assert r.state is DeviceState.FAULT
        with pytest.raises(RelayError, match="refusing"):
            r.pulse(100)


class States(DeviceListener):
    def __init__(self) -> None:
        self.seen: list[tuple[DeviceState, str]] = []

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.seen.append((state, detail))


def test_dropped_board_reconnects_with_back_off_and_pulses_again() -> None:
    states = States()
    clock = ScaledClock(10.0)  # back-off delays of 0.5, 1, 2 s pass ten times faster
    with RelaySimulator("lcus", clock=clock) as sim:
        relay = RelayDevice(sim.port, "lcus", listener=states, clock=clock).start()
        try:
            assert relay.wait_for_state(DeviceState.READY, timeout_s=WAIT_S), relay.detail
            relay.pulse(150)
            assert sim.wait_for_changes(3, timeout_s=WAIT_S)  # off, on, off arrived
            sim.unplug()
            with pytest.raises(RelayError, match="port lost"):
                relay.pulse(150)
            assert relay.state is DeviceState.RECONNECTING
            assert relay.wait_for_state(DeviceState.RECONNECTING, timeout_s=WAIT_S)
            started = time.monotonic()
            with pytest.raises(RelayError, match="reconnecting"):
                relay.pulse(150)  # fails fast while the board is away
            assert time.monotonic() - started < 0.1
            while not any("retry in" in detail for _, detail in states.seen):
                time.sleep(0.01)
            sim.replug()
            assert relay.wait_for_state(DeviceState.READY, timeout_s=WAIT_S), relay.detail
            relay.pulse(150)
            assert sim.wait_for_changes(6, timeout_s=WAIT_S)
        finally:
            relay.close()
    assert relay.state is DeviceState.STOPPED
    # the command lost with the cable never arrived; after the replug: explicit off, pulse
    assert [c.on for c in sim.timeline] == [False, True, False, False, True, False]
    seen = [state for state, _ in states.seen]
    assert seen.index(DeviceState.RECONNECTING) < len(seen) - seen[::-1].index(DeviceState.READY)


def test_reconnect_thread_initialises_a_board_plugged_in_late() -> None:
    clock = ScaledClock(10.0)
    with RelaySimulator("modbus-coil", clock=clock) as sim:
        sim.unplug()
        with RelayDevice(sim.port, "modbus-coil", clock=clock).start() as relay:
            assert relay.wait_for_state(DeviceState.RECONNECTING, timeout_s=WAIT_S)
            assert "cannot open" in relay.detail
            sim.replug()
            assert relay.wait_for_state(DeviceState.READY, timeout_s=WAIT_S), relay.detail
            relay.pulse(100)
            assert sim.wait_for_changes(3, timeout_s=WAIT_S)
    assert [c.on for c in sim.timeline] == [False, True, False]


def test_a_stuck_board_keeps_reconnecting_and_is_never_pulsed() -> None:
    clock = ScaledClock(20.0)
    with RelaySimulator("modbus-coil", "stuck-on", clock=clock) as sim:
        with RelayDevice(sim.port, "modbus-coil", clock=clock, reply_timeout_s=0.2) as relay:
            relay.initialise()
            relay.start()
            with pytest.raises(RelayError, match="reads on"):
                relay.pulse(150)
            assert relay.state is DeviceState.RECONNECTING
            with pytest.raises(RelayError, match="refusing"):
                relay.pulse(150)
            sim.coils[0] = False  # a technician frees the contact
            assert relay.wait_for_state(DeviceState.READY, timeout_s=WAIT_S), relay.detail
    # off, the one pulse's on, then only the explicit off of the successful re-initialisation
    assert [c.on for c in sim.timeline] == [False, True, False]
