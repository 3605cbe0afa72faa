"""Framing of the SAM host protocol of resident ID card readers (pure: bytes in, packets out).

Every frame is ``AA AA AA 96 69 | LEN (2 bytes, big-endian) | payload | CHK``. LEN counts the
payload and the checksum; CHK is the XOR of the LEN bytes and the payload. A host command's
payload is ``CMD PARA [data]``, a reader's reply is ``SW1 SW2 SW3 [data]`` (``00 00 90`` = OK).

:class:`PacketParser` keeps a buffer between :meth:`~PacketParser.feed` calls, so frames split
across reads are reassembled; garbage before a preamble is dropped; a frame whose checksum
fails is dropped one byte at a time, so a preamble inside it is found again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import NamedTuple

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
MIN_LEN = 3
"""Smallest LEN: a command's CMD PARA CHK (a reply has at least SW1 SW2 SW3 CHK)."""
MAX_LEN = 4096
"""Largest LEN accepted; the longest real reply (text, photo, fingerprints) is 2 314."""

# SW3 of a reply (SW1 SW2 are 00 00)
OK = 0x90
CARD_FOUND = 0x9F
NO_CARD = 0x80
SELECT_FAILED = 0x81
READ_FAILED = 0x41
NO_CONTENT = 0x91
CHECKSUM_ERROR = 0x10
LENGTH_ERROR = 0x11
COMMAND_ERROR = 0x21
SAM_SELF_TEST_FAILED = 0x60
SAM_NOT_AUTHORISED = 0x66

STATUS_TEXT: dict[int, str] = {
    OK: "ok",
    CARD_FOUND: "card found",
    CHECKSUM_ERROR: "the reader received a bad checksum",
    LENGTH_ERROR: "the reader received a bad length",
    COMMAND_ERROR: "the reader did not accept the command",
    0x23: "operation not permitted",
    0x24: "unrecognised error",
    0x31: "the card did not authenticate the reader",
    0x32: "the reader did not authenticate the card",
    0x33: "card data failed verification",
    0x40: "unknown card type",
    READ_FAILED: "reading the card failed",
    0x47: "could not get a random number from the card",
    SAM_SELF_TEST_FAILED: "SAM module self-test failed",
    SAM_NOT_AUTHORISED: "SAM module not authorised",
    NO_CARD: "no card",
    SELECT_FAILED: "selecting the card failed",
    NO_CONTENT: "the card has no such content",
}

SAM_FAULTS = frozenset({SAM_SELF_TEST_FAILED, SAM_NOT_AUTHORISED})
"""Statuses that mean the reader's security module is unusable (the reader is faulty)."""


def checksum(data: bytes) -> int:
    """XOR of ``data`` (the LEN bytes and the payload of a frame)."""
    return reduce(lambda a, b: a ^ b, data, 0)


def encode_frame(payload: bytes) -> bytes:
    """A complete frame around ``payload`` (a command's or a reply's)."""
    body = (len(payload) + 1).to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


def encode_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    """A host command frame, e.g. ``encode_command(0x20, 0x01)`` (find card)."""
    return encode_frame(bytes([cmd, para]) + data)


def encode_reply(status: int, data: bytes = b"") -> bytes:
    """A reader's reply frame ``00 00 <status> data``."""
    return encode_frame(bytes([0, 0, status]) + data)


def describe_status(status: int) -> str:
    """Human-readable text of a reply status (SW3)."""
    return STATUS_TEXT.get(status, f"unknown status {status:#04x}")


@dataclass(frozen=True)
class Reply:
    """A reader's reply: its status word and its data."""

    sw: bytes
    data: bytes = b""

    @property
    def status(self) -> int:
        """SW3, or -1 when SW1 SW2 are not ``00 00`` (not a status this protocol defines)."""
        return self.sw[2] if self.sw[:2] == b"\x00\x00" else -1

    @classmethod
    def from_payload(cls, payload: bytes) -> Reply | None:
        """The reply carried by a frame's payload; None when it is too short to be one."""
        if len(payload) < 3:
            return None
        return cls(payload[:3], payload[3:])

    def __repr__(self) -> str:  # the data may hold personal data: never print it
        return f"Reply(sw={self.sw.hex(' ')}, {len(self.data)} data bytes)"


class Step(NamedTuple):
    """Result of decoding the start of a buffer.

    ``consumed`` == 0 means "need more bytes"; otherwise that many bytes are dropped and
    ``payload`` (if any) is emitted. ``bad`` marks a frame rejected by its checksum.
    """

    consumed: int
    payload: bytes | None = None
    bad: bool = False


NEED_MORE = Step(0)
DROP_ONE = Step(1)


def decode(buf: bytes) -> Step:
    """Decode one frame at the start of ``buf`` (pure).

    Bytes before a preamble are consumed without a payload; a bad checksum or an impossible
    length consumes one byte (a preamble may occur again inside the rejected bytes).
    """
    start = buf.find(PREAMBLE)
    if start < 0:
        keep = _partial_preamble(buf)
        return Step(len(buf) - keep) if len(buf) > keep else NEED_MORE
    if start > 0:
        return Step(start)
    if len(buf) < HEADER_LEN:
        return NEED_MORE
    length = int.from_bytes(buf[5:7], "big")
    if not MIN_LEN <= length <= MAX_LEN:
        return DROP_ONE
    end = HEADER_LEN + length
    if len(buf) < end:
        return NEED_MORE
    if checksum(buf[5 : end - 1]) != buf[end - 1]:
        return Step(1, None, True)
    return Step(end, buf[HEADER_LEN : end - 1])


def _partial_preamble(buf: bytes) -> int:
    """How many trailing bytes of ``buf`` could be the start of a preamble."""
    for keep in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf.endswith(PREAMBLE[:keep]):
            return keep
    return 0


class PacketParser:
    """Buffering parser of frames; :meth:`feed` returns the payloads now complete."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.bad_frames = 0
        """Frames rejected by their checksum so far."""

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the payloads of the frames now complete, in order."""
        self._buffer += data
        payloads: list[bytes] = []
        while self._buffer:
            step = decode(bytes(self._buffer))
            if step.consumed == 0:
                break
            if step.bad:
                self.bad_frames += 1
            if step.payload is not None:
                payloads.append(step.payload)
            del self._buffer[: step.consumed]
        return payloads

    def clear(self) -> None:
        """Forget buffered bytes (after a timeout: a late reply must not answer a new command)."""
        self._buffer.clear()

    @property
    def buffered(self) -> int:
        """Bytes waiting for the rest of their frame."""
        return len(self._buffer)
