"""Modbus RTU request builders shared by the thermometer and relay drivers and simulators."""

from __future__ import annotations

from drivers.serial_link.checksums import append_crc16

READ_COILS = 0x01
READ_HOLDING_REGISTERS = 0x03
READ_INPUT_REGISTERS = 0x04
WRITE_SINGLE_COIL = 0x05
EXCEPTION_FLAG = 0x80

EXCEPTION_NAMES = {
    0x01: "illegal function",
    0x02: "illegal data address",
    0x03: "illegal data value",
    0x04: "slave device failure",
}


def read_request(slave: int, function: int, address: int, count: int) -> bytes:
    """A read request (fc 01-04): ``slave fc addr_hi addr_lo count_hi count_lo crc_lo crc_hi``."""
    return append_crc16(
        bytes([slave, function]) + address.to_bytes(2, "big") + count.to_bytes(2, "big")
    )


def write_coil_request(slave: int, address: int, on: bool) -> bytes:
    """Write single coil (fc 05): value ``FF 00`` = on, ``00 00`` = off; the reply echoes it."""
    value = b"\xff\x00" if on else b"\x00\x00"
    return append_crc16(bytes([slave, WRITE_SINGLE_COIL]) + address.to_bytes(2, "big") + value)


def exception_reply(slave: int, function: int, code: int) -> bytes:
    """An exception reply: ``slave fc|0x80 code crc``."""
    return append_crc16(bytes([slave, function | EXCEPTION_FLAG, code]))


def describe_exception(code: int) -> str:
    """Human-readable name of a Modbus exception code."""
    return f"Modbus exception {code:#04x} ({EXCEPTION_NAMES.get(code, 'unknown')})"
