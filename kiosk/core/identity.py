"""Keyed HMAC and masking of personal data (design §6): match without keeping ID numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

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


@dataclass(frozen=True)
class CardIdentity:
    """What the kiosk keeps of an ID card read: the HMAC and masked forms, never the raw data."""

    id_hmac: str | None
    """Keyed HMAC of the ID number (None where no campus key is at hand, e.g. a reader test)."""
    id_masked: str
    name_masked: str
    kind: str
    """``resident`` or ``hmt-residence-permit``."""
    valid_to: dt.date | None
    """Last day of validity; None for a long-term (长期) card."""

    def expired_on(self, day: dt.date) -> bool:
        """Whether the card is past its last day of validity on the campus-local ``day``."""
        return self.valid_to is not None and day > self.valid_to
