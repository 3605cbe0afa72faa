"""Checksums used by the serial devices: sum8 and CRC-16/MODBUS."""

from __future__ import annotations


def sum8(data: bytes) -> int:
    """Low 8 bits of the arithmetic sum of ``data``."""
    return sum(data) & 0xFF


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS (reflected poly 0xA001, init 0xFFFF); sent low byte first."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def append_crc16(data: bytes) -> bytes:
    """``data`` followed by its CRC-16/MODBUS, low byte first."""
    return data + crc16_modbus(data).to_bytes(2, "little")


def crc16_ok(frame: bytes) -> bool:
    """Whether the last two bytes of ``frame`` are the CRC-16/MODBUS of the rest."""
    return len(frame) >= 3 and crc16_modbus(frame[:-2]).to_bytes(2, "little") == frame[-2:]
