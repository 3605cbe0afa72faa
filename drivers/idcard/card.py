"""The card's 256-byte text block (UCS-2 little-endian fields) → :class:`IdCard` (pure).

Layout of the resident ID card (居民身份证), in bytes: name 30, sex 2, nation 4, birth date 16
(``YYYYMMDD``), address 70, ID number 36, issuer 30, valid from 16, valid to 16 (``YYYYMMDD`` or
``长期``: no end), reserved 36. The character at bytes 248–249 (inside the reserved field) tells
the card type: a space or NUL for the resident ID card, ``J`` for the residence permit of Hong
Kong, Macao and Taiwan residents (same fields), ``I`` and ``Y`` for the foreigner's permanent
residence card, whose layout differs (English name first) — refused as unsupported.

Only what the gate needs is kept: name, ID number, sex, birth date and validity. Address,
nation and issuer are checked for shape and dropped. The ID number must carry a valid
ISO 7064 MOD 11-2 check character and agree with the birth date field, so a corrupted block
never yields somebody else's identity.
"""

from __future__ import annotations

import datetime as dt
import enum
import re

TEXT_BLOCK_LEN = 256
LONG_TERM = "长期"
"""Stored as the end of validity of a card that does not expire."""

# (name, offset, length) of the resident ID card's fields
FIELDS: tuple[tuple[str, int, int], ...] = (
    ("name", 0, 30),
    ("sex", 30, 2),
    ("nation", 32, 4),
    ("birth", 36, 16),
    ("address", 52, 70),
    ("id_number", 122, 36),
    ("issuer", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
    ("reserved", 220, 36),
)
CARD_TYPE_OFFSET = 248

SEXES = {"0": "unknown", "1": "male", "2": "female", "9": "unstated"}
_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
_CHECK_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK_CHARS = "10X98765432"


class CardKind(enum.Enum):
    """Which document the text block belongs to."""

    RESIDENT = "resident"
    """居民身份证, the second-generation resident ID card."""
    HMT_RESIDENCE_PERMIT = "hmt-residence-permit"
    """港澳台居民居住证: residence permit of Hong Kong, Macao and Taiwan residents."""


UNSUPPORTED_KINDS = {
    "I": "a foreigner's permanent residence card (外国人永久居留身份证)",
    "Y": "a foreigner's permanent residence card, 2023 edition (外国人永久居留身份证)",
}


class CardError(ValueError):
    """The card was read but cannot identify anyone; the message can be shown to a guard."""


class UnsupportedCard(CardError):
    """A document of another layout (e.g. a foreigner's permanent residence card)."""


class CardDataError(CardError):
    """The text block is malformed or inconsistent (never guessed at)."""


class IdCard:
    """A card read from the reader. The raw ID number and name stay in this object.

    Nothing here prints them: ``repr`` and ``str`` show masked forms only. The kiosk turns
    :attr:`id_number` into its keyed HMAC and masked form as soon as it receives the card.
    """

    __slots__ = ("_id_number", "_name", "birth_date", "kind", "sex", "valid_from", "valid_to")

    def __init__(
        self,
        *,
        name: str,
        id_number: str,
        sex: str,
        birth_date: dt.date,
        valid_from: dt.date,
        valid_to: dt.date | None,
        kind: CardKind = CardKind.RESIDENT,
    ) -> None:
        self._name = name
        self._id_number = id_number
        self.sex = sex
        """``male``, ``female``, ``unknown`` or ``unstated``."""
        self.birth_date = birth_date
        self.valid_from = valid_from
        self.valid_to = valid_to
        """Last day of validity; None for a long-term (长期) card."""
        self.kind = kind

    @property
    def id_number(self) -> str:
        """The raw 18-character ID number: turn it into an HMAC at once, never store it."""
        return self._id_number

    @property
    def name(self) -> str:
        """The raw name: mask it at once, never store it."""
        return self._name

    def expired_on(self, day: dt.date) -> bool:
        """Whether the card is past its last day of validity on ``day``."""
        return self.valid_to is not None and day > self.valid_to

    def __repr__(self) -> str:
        return (
            f"IdCard(kind={self.kind.value}, id=…{self._id_number[-4:]}, "
            f"valid_to={self.valid_to or LONG_TERM})"
        )

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an IdCard holds personal data and is never serialised")


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _CHECK_WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_valid(number: str) -> bool:
    """Whether ``number`` has the form of an 18-character ID number with a correct check char."""
    return bool(_ID_PATTERN.fullmatch(number)) and id_check_char(number[:17]) == number[17]


def parse_text_block(block: bytes) -> IdCard:
    """Decode a text block; raises :class:`UnsupportedCard` or :class:`CardDataError`."""
    if len(block) != TEXT_BLOCK_LEN:
        raise CardDataError(f"text block of {len(block)} bytes (expected {TEXT_BLOCK_LEN})")
    kind = _card_kind(block)
    fields = {name: _text(block, name, off, size) for name, off, size in FIELDS[:-1]}
    name = fields["name"]
    if not name:
        raise CardDataError("the card's name field is empty")
    sex = SEXES.get(fields["sex"])
    if sex is None:
        raise CardDataError(f"unknown sex code {fields['sex']!r}")
    birth = _date(fields["birth"], "birth date")
    number = fields["id_number"].upper()
    if not id_number_valid(number):
        raise CardDataError("the ID number is malformed or its check character is wrong")
    if number[6:14] != fields["birth"]:
        raise CardDataError("the ID number does not match the birth date on the card")
    valid_from = _date(fields["valid_from"], "start of validity")
    valid_to = None if fields["valid_to"] == LONG_TERM else _date(fields["valid_to"], "end")
    if valid_to is not None and valid_to < valid_from:
        raise CardDataError("the card's validity ends before it starts")
    return IdCard(
        name=name,
        id_number=number,
        sex=sex,
        birth_date=birth,
        valid_from=valid_from,
        valid_to=valid_to,
        kind=kind,
    )


def encode_text_block(
    *,
    name: str,
    id_number: str,
    sex: str = "1",
    nation: str = "01",
    address: str = "",
    issuer: str = "",
    valid_from: str,
    valid_to: str,
    card_type: str = " ",
) -> bytes:
    """A resident-card text block with these field values (simulators, tests).

    ``sex`` and ``nation`` are the codes stored on the card; dates are ``YYYYMMDD`` strings
    (``valid_to`` may be ``长期``); ``card_type`` is the character at bytes 248–249.
    """
    values = {
        "name": name,
        "sex": sex,
        "nation": nation,
        "birth": id_number[6:14],
        "address": address,
        "id_number": id_number,
        "issuer": issuer,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "reserved": "",
    }
    block = bytearray()
    for field, _, size in FIELDS:
        raw = values[field].encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{field} longer than {size // 2} characters")
        block += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    block[CARD_TYPE_OFFSET : CARD_TYPE_OFFSET + 2] = card_type.encode("utf-16-le")
    return bytes(block)


def encode_foreigner_block(
    *, english_name: str, number: str, nationality: str, valid_to: str, type_char: str = "I"
) -> bytes:
    """A foreigner's permanent residence card text block, 2017 layout (simulators, tests).

    English name 120, sex 2, residence number 30, nationality 6, Chinese name 30, valid from
    16, valid to 16, birth date 16, version 4, authority code 8, type 2, reserved 6 bytes.
    """
    parts = (
        (english_name, 120),
        ("1", 2),
        (number, 30),
        (nationality, 6),
        ("", 30),
        ("20200101", 16),
        (valid_to, 16),
        ("19800101", 16),
        ("20", 4),
        ("1500", 8),
        (type_char, 2),
        ("", 6),
    )
    block = b""
    for text, size in parts:
        raw = text.encode("utf-16-le")
        block += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    assert len(block) == TEXT_BLOCK_LEN
    return block


def _card_kind(block: bytes) -> CardKind:
    char = block[CARD_TYPE_OFFSET : CARD_TYPE_OFFSET + 2].decode("utf-16-le", errors="replace")
    if char in (" ", "\0"):
        return CardKind.RESIDENT
    if char == "J":
        return CardKind.HMT_RESIDENCE_PERMIT
    described = UNSUPPORTED_KINDS.get(char)
    if described is not None:
        raise UnsupportedCard(
            f"{described}: this reader reads resident ID cards only; enter the visitor by hand"
        )
    raise UnsupportedCard(f"unknown card type {char!r}: enter the person by hand")


def _text(block: bytes, field: str, offset: int, size: int) -> str:
    try:
        text = block[offset : offset + size].decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardDataError(f"the {field} field is not valid UCS-2 text") from None
    return text.strip(" \0\u3000")


def _date(text: str, what: str) -> dt.date:
    if not re.fullmatch(r"[0-9]{8}", text):
        raise CardDataError(f"{what} {text!r} is not a date YYYYMMDD")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardDataError(f"{what} {text!r} is not a valid date") from None
