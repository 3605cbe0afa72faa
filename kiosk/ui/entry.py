"""What a typed or wedged text is: a code to verify, a vehicle's plate or an identity number.
Pure, no Qt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from kiosk.core.identifiers import is_school_approval_no
from kiosk.core.plates import PlateError, normalise_plate

EntryKind = Literal["code", "plate", "id_number", "person_no", "approval_no"]
CODE_PREFIXES = ("HK1:", "CP1:", "VA1:", "http://", "https://")
RESIDENT_ID = re.compile(r"\d{17}[\dXx]|\d{15}")


@dataclass(frozen=True)
class Entry:
    """A classified input: ``kind`` says which service command takes ``text``."""

    kind: EntryKind
    text: str


def classify(text: str) -> Entry:
    """A signed code or URL is a ``code``; a Chinese number plate (any spacing or dot) a
    ``plate`` in its normalised form; a resident ID number (15 or 18 characters) an
    ``id_number``; a school approval number (``V-0001``, ``V20220120-3FA91C``) an
    ``approval_no``; anything else a ``person_no``."""
    text = text.strip()
    if text.upper().startswith(CODE_PREFIXES[:3]) or text.startswith(CODE_PREFIXES[3:]):
        return Entry("code", text)
    try:
        return Entry("plate", normalise_plate(text))
    except PlateError:
        pass
    if RESIDENT_ID.fullmatch(text):
        return Entry("id_number", text.upper())
    if is_school_approval_no(text):
        return Entry("approval_no", text)
    return Entry("person_no", text)
