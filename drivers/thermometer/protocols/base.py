"""What a thermometer protocol provides to the port loop: a parser, defaults and host commands."""

from __future__ import annotations

import abc
from typing import ClassVar

from drivers.thermometer.frames import FrameParser
from drivers.thermometer.options import OptionReader, ProtocolOptionError

MAX_POLL_HZ = 10.0


class ThermometerProtocol(abc.ABC):
    """One wire protocol with its settings; create parsers with :meth:`new_parser`."""

    name: ClassVar[str]
    default_baud: ClassVar[int]
    reports_body: ClassVar[bool] = False
    """Whether the device already reports body temperature."""

    poll_interval_s: float | None = None
    """Seconds between queries in query mode; None when the device streams on its own."""

    @abc.abstractmethod
    def new_parser(self) -> FrameParser:
        """A fresh parser (one per connection)."""

    def init_command(self) -> bytes:
        """Bytes to send once after opening the port (e.g. 'stream continuously')."""
        return b""

    def poll_command(self) -> bytes:
        """Bytes to send every :attr:`poll_interval_s` in query mode."""
        return b""


def poll_interval(reader: OptionReader, default_hz: float = 5.0) -> float:
    """Read ``poll_hz`` (at most 10 Hz: these modules must not be polled faster)."""
    hz = reader.number("poll_hz", default_hz)
    if not 0 < hz <= MAX_POLL_HZ:
        raise ProtocolOptionError(
            f"{reader.protocol} option 'poll_hz': expected more than 0 and at most "
            f"{MAX_POLL_HZ:g}, got {hz:g}"
        )
    return 1.0 / hz
