"""Keyed HMAC and masking of personal data (design §6): match without keeping ID numbers."""

from __future__ import annotations

import hashlib
import hmac

# Size limits of identifiers, wherever they come from (signed claims, CSV import, typed entry).
MIN_ID_NUMBER_CHARS = 6
MAX_ID_NUMBER_CHARS = 32
MAX_PERSON_NO_CHARS = 32
MAX_APPROVAL_NO_CHARS = 64
MAX_NAME_CHARS = 100


def id_hmac(key: bytes, id_number: str) -> str:
    """Keyed HMAC-SHA256 of a normalised ID number, hex; the only form used for matching."""
    normalised = id_number.strip().upper().encode()
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()


def mask_id(id_number: str) -> str:
    """Show only the last 4 characters of an ID number: ``**************1234`` (design §6).

    Anything more (the first 6 digits name the region) leaves little but a birth date to guess;
    matching uses the keyed HMAC, never the masked form.
    """
    s = id_number.strip()
    if len(s) <= 4:
        return "*" * len(s)
    return "*" * (len(s) - 4) + s[-4:]


def mask_name(name: str) -> str:
    """Keep the first character of a name: ``王芳`` → ``王*``, ``欧阳娜娜`` → ``欧***``."""
    s = name.strip()
    if not s:
        return ""
    return s[0] + "*" * max(1, len(s) - 1)
