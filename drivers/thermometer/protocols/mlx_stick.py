"""Melexis MLX I2C Stick (USB CDC, ASCII): ``mv:3A`` → ``mv:3A:<8-digit ms>:<TA>,<TO>\\r\\n``.

Continuous lines look like ``@3A:<drv>:mv:…``; errors contain ``FAIL``. Values are °C with two
decimals, ambient first (MLX90632 order "TA,TO"). The stick ignores the baud rate.
"""

from __future__ import annotations

import re

from drivers.thermometer.frames import ErrorFrame, Frame, FrameParser, Item, LineParser
from drivers.thermometer.options import OptionReader, ProtocolOptionError
from drivers.thermometer.protocols.base import ThermometerProtocol, poll_interval

_NUMBER = r"[-+]?\d+(?:\.\d+)?"
MV_LINE = re.compile(
    rf"^(?:@[0-9A-Fa-f]{{2}}:[^:]*:)?mv:(?:[0-9A-Fa-f]{{2}}:)?\d+:(?P<ta>{_NUMBER}),(?P<to>{_NUMBER})$"
)


class MlxStickParser(LineParser):
    """Parser of the stick's reply lines."""

    def __init__(self) -> None:
        super().__init__(line_end=b"\n")

    def parse_line(self, line: str) -> Item | None:
        """A reading, an error, or None for other lines (scan results, echoes)."""
        if "FAIL" in line:
            return ErrorFrame(line)
        match = MV_LINE.match(line)
        if match is None:
            return None
        return Frame(object_c=float(match["to"]), ambient_c=float(match["ta"]))


class MlxStick(ThermometerProtocol):
    """MLX I2C Stick polled with ``mv:<address>``."""

    name = "mlx-stick"
    default_baud = 115200

    def __init__(self, address: str = "3A", poll_interval_s: float = 0.2) -> None:
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", address):
            raise ProtocolOptionError(
                f"mlx-stick option 'address': expected two hex digits, got {address!r}"
            )
        self.address = address.upper()
        self.poll_interval_s = poll_interval_s

    @classmethod
    def from_options(cls, reader: OptionReader) -> MlxStick:
        """Options: address (3A), poll_hz (5, at most 10)."""
        return cls(address=reader.text("address", "3A"), poll_interval_s=poll_interval(reader))

    def new_parser(self) -> FrameParser:
        """A fresh parser."""
        return MlxStickParser()

    def poll_command(self) -> bytes:
        """``mv:3A\\n``."""
        return f"mv:{self.address}\n".encode("ascii")
