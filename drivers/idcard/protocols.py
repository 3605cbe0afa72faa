"""The SAM host protocol's commands and the named variants of it that reader modules speak.

Every variant frames commands alike (see :mod:`drivers.idcard.frames`); they differ in small
ways, each named here rather than switched by flags scattered through the port loop:

* ``sam`` — the common host protocol of 华视 CVR-100, 神思 SS628 and the many modules with the
  same interface: SAM status at start-up, then find, select, read text and photo (``30 01``).
* ``sam-reset`` — the same, but the SAM is reset (``10 FF``) after the port opens and after a
  SAM error, for modules whose SAM is not ready after power-up.
* ``sam-fp`` — modules that read text, photo and fingerprints (``30 10``): the reply carries a
  third length word and a fingerprint block, which is dropped at once (it is biometric data
  the gate has no use for).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from drivers.idcard.card import TEXT_BLOCK_LEN, CardDataError
from drivers.idcard.frames import CARD_FOUND, MAX_LEN, OK, Reply, encode_command

SAM_RESET = encode_command(0x10, 0xFF)  # AA AA AA 96 69 00 03 10 FF EC
SAM_STATUS = encode_command(0x11, 0xFF)  # AA AA AA 96 69 00 03 11 FF ED
FIND_CARD = encode_command(0x20, 0x01)  # AA AA AA 96 69 00 03 20 01 22
SELECT_CARD = encode_command(0x20, 0x02)  # AA AA AA 96 69 00 03 20 02 21
READ_TEXT_PHOTO = encode_command(0x30, 0x01)  # AA AA AA 96 69 00 03 30 01 32
READ_TEXT_PHOTO_FP = encode_command(0x30, 0x10)  # AA AA AA 96 69 00 03 30 10 23

FIND_DATA_LEN = 4
SELECT_DATA_LEN = 8
PHOTO_LEN = 1024

_MIN_READ_LEN = 4 + TEXT_BLOCK_LEN
_SUCCESS: dict[bytes, tuple[int, range]] = {  # command → (status, data lengths) of success
    SAM_RESET: (OK, range(0, 1)),
    SAM_STATUS: (OK, range(0, 1)),
    FIND_CARD: (CARD_FOUND, range(FIND_DATA_LEN, FIND_DATA_LEN + 1)),
    SELECT_CARD: (OK, range(SELECT_DATA_LEN, SELECT_DATA_LEN + 1)),
    READ_TEXT_PHOTO: (OK, range(_MIN_READ_LEN, MAX_LEN)),
    READ_TEXT_PHOTO_FP: (OK, range(_MIN_READ_LEN, MAX_LEN)),
}


class IdCardProtocolError(ValueError):
    """An unknown protocol name or a bad reader option."""


def succeeded(command: bytes, reply: Reply) -> bool:
    """Whether ``reply`` is the success answer to ``command`` (status and data length)."""
    status, lengths = _SUCCESS[command]
    return reply.status == status and len(reply.data) in lengths


def answers(command: bytes, reply: Reply) -> bool:
    """Whether ``reply`` can be the answer to ``command``: its success, or an error without data.

    A late reply to an earlier command (e.g. a card read arriving after its timeout) does not
    answer a find or select, so it is never taken for one.
    """
    return succeeded(command, reply) or (reply.status != _SUCCESS[command][0] and not reply.data)


@dataclass(frozen=True)
class SamProtocol:
    """One variant of the host protocol."""

    name: str
    description: str
    reset_on_open: bool = False
    """Reset the SAM after opening the port and after a SAM error."""
    read_command: bytes = READ_TEXT_PHOTO
    length_words: int = 2
    """Length words before the blocks of a read reply: text, photo (and fingerprint)."""
    default_baud: int = 115200

    def text_block(self, data: bytes) -> bytes:
        """The text block of a successful read reply's data; the other blocks are dropped.

        Raises :class:`CardDataError` when the length words do not add up to the data.
        """
        head = 2 * self.length_words
        if len(data) < head:
            raise CardDataError(f"read reply of {len(data)} bytes has no length words")
        lengths = [int.from_bytes(data[i : i + 2], "big") for i in range(0, head, 2)]
        if head + sum(lengths) != len(data):
            raise CardDataError(
                f"read reply lengths {lengths} do not add up to its {len(data) - head} bytes"
            )
        if lengths[0] != TEXT_BLOCK_LEN:
            raise CardDataError(f"text block of {lengths[0]} bytes (expected {TEXT_BLOCK_LEN})")
        return data[head : head + TEXT_BLOCK_LEN]

    def encode_read_data(self, text: bytes, photo: bytes, fingerprint: bytes = b"") -> bytes:
        """The data of a successful read reply in this variant's layout (simulators, tests)."""
        blocks = [text, photo, fingerprint][: self.length_words]
        words = b"".join(len(b).to_bytes(2, "big") for b in blocks)
        return words + b"".join(blocks)


PROTOCOLS: Mapping[str, SamProtocol] = MappingProxyType(
    {
        p.name: p
        for p in (
            SamProtocol("sam", "CVR-100, SS628 and compatible SAM modules (text + photo)"),
            SamProtocol(
                "sam-reset", "as sam, resetting the SAM after opening the port", reset_on_open=True
            ),
            SamProtocol(
                "sam-fp",
                "modules that read text, photo and fingerprints (30 10)",
                read_command=READ_TEXT_PHOTO_FP,
                length_words=3,
            ),
        )
    }
)


def get_protocol(name: str) -> SamProtocol:
    """The variant called ``name``; raises :class:`IdCardProtocolError` for an unknown one."""
    protocol = PROTOCOLS.get(name)
    if protocol is None:
        raise IdCardProtocolError(
            f"unknown ID card reader protocol {name!r} (known: {', '.join(PROTOCOLS)})"
        )
    return protocol
