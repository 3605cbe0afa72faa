"""GY-MCU90614 (MLX90614 behind an MCU): 9-byte ``5A 5A 45 04 TOhi TOlo TAhi TAlo sum8`` frames.

Temperatures are signed 16-bit big-endian ×100 °C; TO is the skin/surface temperature. Frame
types 0x25 (emissivity) and 0x35 (offset) have length ``byte3 + 5`` and are skipped. Host
commands are ``A5 <cmd> <sum8>``: ``A5 45 EA`` continuous output, ``A5 15 BA`` one frame.
"""

from __future__ import annotations

from drivers.serial_link.checksums import sum8
from drivers.thermometer.frames import (
    BAD_FRAME,
    DROP_ONE,
    NEED_MORE,
    Frame,
    FrameParser,
    Step,
    seek_header,
)
from drivers.thermometer.options import OptionReader
from drivers.thermometer.protocols.base import ThermometerProtocol, poll_interval

HEADER = b"\x5a\x5a"
TYPE_TEMPERATURE = 0x45
SKIPPED_TYPES = (0x25, 0x35)
MAX_PAYLOAD = 16


def command(cmd: int) -> bytes:
    """A host command ``A5 <cmd> <sum8>``."""
    return bytes([0xA5, cmd, sum8(bytes([0xA5, cmd]))])


CONTINUOUS = command(0x45)  # A5 45 EA
QUERY = command(0x15)  # A5 15 BA


def encode_frame(object_c: float, ambient_c: float) -> bytes:
    """The temperature frame a module sends for these values (simulators, tests)."""
    body = HEADER + bytes([TYPE_TEMPERATURE, 4])
    body += round(object_c * 100).to_bytes(2, "big", signed=True)
    body += round(ambient_c * 100).to_bytes(2, "big", signed=True)
    return body + bytes([sum8(body)])


class GyMcu90614Parser(FrameParser):
    """Parser of the module's output."""

    def decode(self, buf: bytes) -> Step:
        """Decode one frame at the start of ``buf``."""
        skip = seek_header(buf, HEADER)
        if skip is not None:
            return skip
        if len(buf) < 4:
            return NEED_MORE
        kind, length = buf[2], buf[3]
        if kind == TYPE_TEMPERATURE and length != 4:
            return DROP_ONE
        if kind != TYPE_TEMPERATURE and (kind not in SKIPPED_TYPES or length > MAX_PAYLOAD):
            return DROP_ONE
        total = length + 5
        if len(buf) < total:
            return NEED_MORE
        if sum8(buf[: total - 1]) != buf[total - 1]:
            return BAD_FRAME
        if kind != TYPE_TEMPERATURE:
            return Step(total)
        obj = int.from_bytes(buf[4:6], "big", signed=True) / 100
        amb = int.from_bytes(buf[6:8], "big", signed=True) / 100
        return Step(total, Frame(object_c=obj, ambient_c=amb))


class GyMcu90614(ThermometerProtocol):
    """GY-MCU90614 at 9600 baud; streams by default, ``query=true`` polls with ``A5 15 BA``."""

    name = "gy-mcu90614"
    default_baud = 9600

    def __init__(self, query: bool = False, poll_interval_s: float = 0.2) -> None:
        self.query = query
        self.poll_interval_s = poll_interval_s if query else None

    @classmethod
    def from_options(cls, reader: OptionReader) -> GyMcu90614:
        """Options: ``query`` (false), ``poll_hz`` (5, at most 10)."""
        return cls(query=reader.flag("query", False), poll_interval_s=poll_interval(reader))

    def new_parser(self) -> FrameParser:
        """A fresh parser."""
        return GyMcu90614Parser()

    def init_command(self) -> bytes:
        """Continuous mode unless polling."""
        return b"" if self.query else CONTINUOUS

    def poll_command(self) -> bytes:
        """The query command."""
        return QUERY
