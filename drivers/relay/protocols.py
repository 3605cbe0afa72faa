"""Relay board commands (pure): LCUS USB relays and Modbus RTU coil boards."""

from __future__ import annotations

from drivers.serial_link import modbus_rtu
from drivers.serial_link.checksums import append_crc16, crc16_ok, sum8

LCUS = "lcus"
MODBUS_COIL = "modbus-coil"
PROTOCOLS = (LCUS, MODBUS_COIL)
DEFAULT_BAUD = {LCUS: 9600, MODBUS_COIL: 9600}


def lcus_command(channel: int, on: bool) -> bytes:
    """LCUS command ``A0 <channel 1-based> <00|01> <sum8>``; the board does not answer."""
    body = bytes([0xA0, channel, 1 if on else 0])
    return body + bytes([sum8(body)])


def read_coils_request(slave: int, first_coil: int, count: int) -> bytes:
    """Read coils (fc 01) request."""
    return modbus_rtu.read_request(slave, modbus_rtu.READ_COILS, first_coil, count)


def read_coils_reply(slave: int, states: list[bool]) -> bytes:
    """The reply a board sends to a read-coils request (simulators, tests)."""
    data = bytearray((len(states) + 7) // 8)
    for i, on in enumerate(states):
        if on:
            data[i // 8] |= 1 << (i % 8)
    return append_crc16(bytes([slave, modbus_rtu.READ_COILS, len(data)]) + bytes(data))


def parse_read_coils_reply(reply: bytes, slave: int, count: int) -> list[bool]:
    """Coil states from a read-coils reply; raises ValueError on a bad or exception reply."""
    if len(reply) == 5 and reply[1] == modbus_rtu.READ_COILS | modbus_rtu.EXCEPTION_FLAG:
        if crc16_ok(reply):
            raise ValueError(modbus_rtu.describe_exception(reply[2]))
    nbytes = (count + 7) // 8
    if len(reply) != 5 + nbytes or not crc16_ok(reply):
        raise ValueError(f"bad read-coils reply {reply.hex(' ')}")
    if reply[0] != slave or reply[1] != modbus_rtu.READ_COILS or reply[2] != nbytes:
        raise ValueError(f"unexpected read-coils reply {reply.hex(' ')}")
    return [bool(reply[3 + i // 8] >> (i % 8) & 1) for i in range(count)]


def check_echo(request: bytes, reply: bytes) -> None:
    """A write-coil reply must echo the request; raises ValueError otherwise."""
    if reply == request:
        return
    if len(reply) == 5 and crc16_ok(reply) and reply[1] & modbus_rtu.EXCEPTION_FLAG:
        raise ValueError(modbus_rtu.describe_exception(reply[2]))
    if not reply:
        raise ValueError("no reply from the relay board")
    raise ValueError(f"reply {reply.hex(' ')} does not echo {request.hex(' ')}")
