"""Base45 (RFC 9285), strict: the alphanumeric-QR-friendly text form of credential bytes.

Two bytes become three characters (``c + d*45 + e*45*45``), a trailing single byte becomes two.
Decoding refuses anything an encoder could not have produced: characters outside the alphabet,
a dangling single character, and groups whose value overflows 65535 (triplets) or 255 (pairs).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """The text is not valid Base45."""


def encode(data: bytes) -> str:
    """Encode bytes as Base45 text."""
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def decode(text: str) -> bytes:
    """Decode Base45 text; :class:`Base45Error` for anything :func:`encode` cannot produce."""
    if len(text) % 3 == 1:
        raise Base45Error(f"dangling character at the end (length {len(text)})")
    try:
        values = [_VALUE[ch] for ch in text]
    except KeyError as exc:
        raise Base45Error(f"character {exc.args[0]!r} is not in the Base45 alphabet") from None
    out = bytearray()
    full = len(values) - len(values) % 3
    for i in range(0, full, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise Base45Error(f"group at offset {i} overflows two bytes ({n})")
        out.extend(divmod(n, 256))
    if full < len(values):
        n = values[full] + values[full + 1] * 45
        if n > 0xFF:
            raise Base45Error(f"final pair overflows one byte ({n})")
        out.append(n)
    return bytes(out)
