"""What thermometer parsers produce, and the buffering base class they share.

A parser is pure: bytes in, frames out. It keeps a buffer between :meth:`FrameParser.feed`
calls, so frames split across reads are reassembled, and it resynchronises after garbage or a
bad checksum by dropping ONE byte and searching again (a header byte may occur inside data).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Frame:
    """One valid reading, exactly as the device sent it (no offset applied)."""

    object_c: float
    """Object temperature in °C: skin/surface, or body temperature if ``is_body``."""
    ambient_c: float | None = None
    """Ambient (sensor/housing) temperature in °C, when the device reports one."""
    is_body: bool = False
    """True when the device already reports body temperature (e.g. IDC-50)."""


@dataclass(frozen=True)
class ErrorFrame:
    """A well-formed reply in which the device reports an error (Modbus exception, FAIL line)."""

    message: str


Item = Frame | ErrorFrame


class Step(NamedTuple):
    """Result of decoding the start of a buffer.

    ``consumed`` == 0 means "need more bytes"; otherwise that many bytes are dropped and
    ``item`` (if any) is emitted. ``bad`` marks a frame rejected by its checksum/CRC.
    """

    consumed: int
    item: Item | None = None
    bad: bool = False


NEED_MORE = Step(0)
DROP_ONE = Step(1)
BAD_FRAME = Step(1, None, True)

MAX_BUFFER = 4096


def seek_header(buf: bytes, header: bytes) -> Step | None:
    """None when ``buf`` starts with the two-byte ``header``; else the step that skips to it.

    Bytes before the header are dropped; a trailing first header byte is kept, since the
    second one may still arrive.
    """
    start = buf.find(header)
    if start < 0:
        keep = 1 if buf.endswith(header[:1]) else 0
        return Step(len(buf) - keep) if len(buf) > keep else NEED_MORE
    if start > 0:
        return Step(start)
    return None


class FrameParser(abc.ABC):
    """Buffering parser; subclasses implement the pure :meth:`decode`."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.bad_frames = 0
        """Frames rejected by checksum/CRC so far."""

    @abc.abstractmethod
    def decode(self, buf: bytes) -> Step:
        """Decode the start of ``buf`` (pure: no state is changed)."""

    def feed(self, data: bytes) -> list[Item]:
        """Add received bytes; return the frames now complete, in order."""
        self._buffer += data
        items: list[Item] = []
        while self._buffer:
            step = self.decode(bytes(self._buffer))
            if step.consumed == 0:
                if len(self._buffer) > MAX_BUFFER:
                    step = DROP_ONE
                else:
                    break
            if step.bad:
                self.bad_frames += 1
            if step.item is not None:
                items.append(step.item)
            del self._buffer[: step.consumed]
        return items


class LineParser(FrameParser):
    """Base for ASCII line protocols: splits on ``line_end`` and parses each line."""

    def __init__(self, line_end: bytes = b"\n", encoding: str = "ascii", max_line: int = 256):
        super().__init__()
        self.line_end = line_end
        self.encoding = encoding
        self.max_line = max_line

    @abc.abstractmethod
    def parse_line(self, line: str) -> Item | None:
        """Parse one line without its terminator; None for lines that carry no reading."""

    def decode(self, buf: bytes) -> Step:
        """Take one complete line from the start of ``buf``."""
        end = buf.find(self.line_end)
        if end < 0:
            return Step(len(buf)) if len(buf) > self.max_line else NEED_MORE
        consumed = end + len(self.line_end)
        line = buf[:end].decode(self.encoding, errors="replace").strip()
        item = self.parse_line(line) if line else None
        return Step(consumed, item)
