"""The text layer of a credential: ``PREFIX:`` + Base45(zlib(COSE bytes)), with hard limits.

Every step is bounded before it runs: the text length, then Base45, then a zlib inflate that
stops after :data:`MAX_DECOMPRESSED` bytes, so a compression bomb costs microseconds.
"""

from __future__ import annotations

import zlib

from kiosk.core.credentials import base45

HEALTH_CODE = "HK1"
CAMPUS_PASS = "CP1"
VISIT_SLIP = "VA1"
PREFIXES = (HEALTH_CODE, CAMPUS_PASS, VISIT_SLIP)
"""Every signed credential's prefix: the one list the gate, the issuer and the trust list use."""
MAX_TEXT_CHARS = 4096
"""The longest text the gate reads at all (a scan, a typed entry or a credential)."""
MAX_DECOMPRESSED = 16 * 1024
SEPARATOR = ":"
SIGNED_PREFIXES = tuple(p + SEPARATOR for p in PREFIXES)


class TransportError(ValueError):
    """The text after the prefix is not Base45-encoded zlib data within the limits."""


class UnknownPrefix(ValueError):
    """The text does not start with one of :data:`PREFIXES` and a colon."""


def pack(prefix: str, cose: bytes) -> str:
    """Credential text for a COSE message: ``PREFIX:`` + Base45(zlib(cose))."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown prefix {prefix!r} (expected one of {', '.join(PREFIXES)})")
    return prefix + SEPARATOR + base45.encode(zlib.compress(cose, 9))


def looks_signed(text: str) -> bool:
    """Whether ``text`` starts like a signed credential (``HK1:``, ``CP1:`` or ``VA1:``)."""
    return text.startswith(SIGNED_PREFIXES)


def split_prefix(text: str) -> tuple[str, str]:
    """``(prefix, base45 text)``; raises :class:`UnknownPrefix` for anything else."""
    prefix, sep, rest = text.partition(SEPARATOR)
    if not sep or prefix not in PREFIXES:
        raise UnknownPrefix("not one of the accepted credential prefixes")
    return prefix, rest


def inflate(data: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress one complete zlib stream of at most ``limit`` bytes, or raise TransportError."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise TransportError(f"not zlib data ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TransportError(f"too large: decompresses to more than {limit} bytes")
    if not inflater.eof:
        raise TransportError("zlib stream is truncated")
    if inflater.unused_data:
        raise TransportError("trailing bytes after the zlib stream")
    return out


def unpack(text: str) -> tuple[str, bytes]:
    """``(prefix, COSE bytes)`` from credential text (length is the caller's first check)."""
    prefix, rest = split_prefix(text)
    try:
        compressed = base45.decode(rest)
    except base45.Base45Error as exc:
        raise TransportError(f"not Base45 ({exc})") from None
    return prefix, inflate(compressed)
