"""Chinese vehicle number plates (GA 36-2018): normalisation and validation.

A plate is the province's one-character abbreviation, the issuing authority's letter, then five
characters (ordinary plates, whose last may be a use character such as 学 or 挂) or six
characters (new-energy plates: ``D``/``F``-class letter first for small vehicles, last for
large ones). I and O never appear after the province, so they are not confused with 1 and 0.
Plates are compared in their normalised form: upper case, half-width, without the separating
dot, spaces or hyphens a guard or a wedge device may type.
"""

from __future__ import annotations

import re
import unicodedata

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
"""The 31 provincial abbreviations a civilian plate starts with."""
USE_CHARS = "学挂警港澳领试超"
"""Use characters that may end an ordinary plate (student driver, trailer, police …)."""
MAX_PLATE_INPUT = 32
"""Longest typed text we try to read as a plate (separators included)."""

_LETTER = "A-HJ-NP-Z"  # Latin capitals without I and O
_ALNUM = f"{_LETTER}0-9"
_NEV_CLASS = "A-HJK"  # new-energy class letters (D, F and the later A–K series, without I)
_ORDINARY = re.compile(
    rf"^[{PROVINCES}][{_LETTER}](?:[{_ALNUM}]{{5}}|[{_ALNUM}]{{4}}[{USE_CHARS}])$"
)
_NEW_ENERGY = re.compile(
    rf"^[{PROVINCES}][{_LETTER}](?:[{_NEV_CLASS}][{_ALNUM}][0-9]{{4}}|[0-9]{{5}}[{_NEV_CLASS}])$"
)
_SEPARATORS = re.compile(r"[\s·•.\-_]")


class PlateError(ValueError):
    """Text that is not a Chinese number plate; the message says what was expected."""


def normalise_plate(text: str) -> str:
    """The plate in ``text`` in its canonical form (``豫A12345``, ``豫AD12345``).

    Raises :class:`PlateError` for anything else; the message never echoes overlong input.
    """
    if not isinstance(text, str):
        raise PlateError("expected a number plate as text")
    if len(text) > MAX_PLATE_INPUT:
        raise PlateError(f"expected a number plate, got {len(text)} characters")
    plate = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not plate:
        raise PlateError("expected a number plate, got nothing")
    if not (_ORDINARY.match(plate) or _NEW_ENERGY.match(plate)):
        raise PlateError(
            "expected a plate like 豫A12345 or 豫AD12345 (province, letter, 5 or 6 characters;"
            " no I or O)"
        )
    return plate


def is_new_energy(plate: str) -> bool:
    """Whether a normalised plate is a new-energy (8-character) plate."""
    return bool(_NEW_ENERGY.match(plate))


def display_plate(plate: str) -> str:
    """The plate as printed: a dot after the authority letter (``豫A·12345``)."""
    return f"{plate[:2]}·{plate[2:]}" if len(plate) > 2 else plate
