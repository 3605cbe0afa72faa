"""IDC-50 kiosk module (thermal imager board): ``AA 55 06 <int> <tenths> <sum8>`` every 500 ms.

The module already reports BODY temperature (its own forehead compensation): value =
int + tenths/10.
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
from drivers.thermometer.protocols.base import ThermometerProtocol

HEADER = b"\xaa\x55"
LENGTH = 0x06


def encode_frame(body_c: float) -> bytes:
    """The frame the module sends for a body temperature (0.1 °C resolution)."""
    tenths_total = round(body_c * 10)
    body = HEADER + bytes([LENGTH, tenths_total // 10, tenths_total % 10])
    return body + bytes([sum8(body)])


class Idc50Parser(FrameParser):
    """Parser of the binary output option."""

    def decode(self, buf: bytes) -> Step:
        """Decode one frame at the start of ``buf``."""
        skip = seek_header(buf, HEADER)
        if skip is not None:
            return skip
        if len(buf) < 3:
            return NEED_MORE
        if buf[2] != LENGTH:
            return DROP_ONE
        if len(buf) < LENGTH:
            return NEED_MORE
        if sum8(buf[:5]) != buf[5]:
            return BAD_FRAME
        if buf[4] > 9:
            return BAD_FRAME
        return Step(LENGTH, Frame(object_c=(buf[3] * 10 + buf[4]) / 10, is_body=True))


class Idc50(ThermometerProtocol):
    """IDC-50 at 115200 baud; streams, reports body temperature."""

    name = "idc50"
    default_baud = 115200
    reports_body = True

    @classmethod
    def from_options(cls, reader: OptionReader) -> Idc50:
        """No options."""
        return cls()

    def new_parser(self) -> FrameParser:
        """A fresh parser."""
        return Idc50Parser()
