"""Relay drivers against LCUS and Modbus coil simulators over real ptys."""

from __future__ import annotations

import pytest

from drivers.relay import RelayDevice, RelayError, RelaySimulator, RelayState
from drivers.relay.protocols import (
    check_echo,
    lcus_command,
    parse_read_coils_reply,
    read_coils_request,
)
from drivers.serial_link.modbus_rtu import write_coil_request

H = bytes.fromhex


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
        assert relay.state is RelayState.OFF
        relay.pulse(300)
        assert relay.state is RelayState.OFF
        assert sim.wait_for_changes(3, timeout_s=10)
    assert [c.on for c in sim.timeline] == [False, True, False]
    (duration,) = sim.pulses(channel=2)
    assert 0.28 <= duration <= 1.5  # generous upper bound for a loaded machine
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
            assert relay.state is RelayState.FAULT
            with pytest.raises(RelayError, match="refusing"):
                relay.pulse(150)
            assert [c.on for c in sim.timeline] == [False, True]  # no second pulse
            with pytest.raises(RelayError):
                relay.initialise()  # the board still reads "on"
            sim.coils[0] = False
            relay.initialise()
            assert relay.state is RelayState.OFF


def test_unplugged_during_a_pulse_is_a_fault() -> None:
    with RelaySimulator("lcus", "unplug-after-on") as sim:
        with RelayDevice(sim.port, "lcus") as relay:
            relay.initialise()
            with pytest.raises(RelayError, match="port lost"):
                relay.pulse(150)
            assert relay.state is RelayState.FAULT
            with pytest.raises(RelayError, match="cannot open"):
                relay.initialise()


@pytest.mark.parametrize(("profile", "message"), [("silent", "no reply"), ("bad-echo", "echo")])
def test_modbus_board_that_does_not_echo(profile: str, message: str) -> None:
    with RelaySimulator("modbus-coil", profile) as sim, RelayDevice(sim.port, "modbus-coil") as r:
        with pytest.raises(RelayError, match=message):
            r.initialise()
        assert r.state is RelayState.FAULT
        with pytest.raises(RelayError, match="refusing"):
            r.pulse(100)
