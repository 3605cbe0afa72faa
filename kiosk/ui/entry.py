"""What a typed or wedged text is: a code to verify, or an identity number. Pure, no Qt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

EntryKind = Literal["code", "id_number", "person_no", "approval_no"]
CODE_PREFIXES = ("HK1:", "CP1:", "VA1:", "http://", "https://")
RESIDENT_ID = re.compile(r"\d{17}[\dXx]|\d{15}")
APPROVAL_NO = re.compile(r"V-\w+")
"""The school's approval numbers (``V-0001``)."""


@dataclass(frozen=True)
class Entry:
    """A classified input: ``kind`` says which service command takes ``text``."""

    kind: EntryKind
    text: str


def classify(text: str) -> Entry:
    """A signed code or URL is a ``code``; a resident ID number (15 or 18 characters) an
    ``id_number``; ``V-…`` an ``approval_no``; anything else a ``person_no``."""
    text = text.strip()
    if text.upper().startswith(CODE_PREFIXES[:3]) or text.startswith(CODE_PREFIXES[3:]):
        return Entry("code", text)
    if RESIDENT_ID.fullmatch(text):
        return Entry("id_number", text.upper())
    if APPROVAL_NO.fullmatch(text):
        return Entry("approval_no", text)
    return Entry("person_no", text)
