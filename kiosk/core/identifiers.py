"""What a campus identifier can look like: one rule for every way one enters the kiosk.

Person numbers, approval numbers and ID-document numbers arrive typed by a guard
(:meth:`~kiosk.core.transaction.Gate.present_manual`), on the command line
(``kiosk codes issue``), in registry CSV files and from the central server's feed. Manual
entry and the command line call the checks here, and every other way in is to call them too,
so an identifier no campus issues — a spreadsheet formula such as ``=HYPERLINK(…)``, a NUL
byte, a 100,000-character string — is refused where it comes in and never reaches the
registry, the log or an auditor's spreadsheet (whose export neutralises formulas anyway:
:mod:`kiosk.store.export`).

The rule: letters and digits (ASCII), with ``-``, ``_``, ``.`` and ``/`` allowed inside; the
first character is a letter or a digit (so no ``=``, ``+``, ``-`` or ``@`` can lead, nor
whitespace or a control character anywhere). Person numbers have at most 32 characters (the
campus pass claim's limit), approval numbers 64 (the visit slip's). ID-document numbers are
6–32 letters, digits or ``-`` (resident ID cards, passports, Hong Kong/Macau permits).

The school numbers its visit approvals ``V`` + optional filing date + ``-`` + serial
(``V-0001`` in the demo registry, ``V20220120-3FA91C`` from the central server's filing page):
:func:`is_school_approval_no` tells such a number from a person number in typed text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

IdentifierKind = Literal["person number", "approval number", "ID number"]

MAX_PERSON_NO = 32
MAX_APPROVAL_NO = 64
_CAMPUS = r"[0-9A-Za-z][0-9A-Za-z._/-]{{0,{}}}"
_PERSON_NO = re.compile(_CAMPUS.format(MAX_PERSON_NO - 1))
_APPROVAL_NO = re.compile(_CAMPUS.format(MAX_APPROVAL_NO - 1))
_SCHOOL_APPROVAL_NO = re.compile(r"V(?:[0-9]{8})?-[0-9A-Za-z]{1,32}")
_ID_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{5,31}")
_EXPECTED: dict[IdentifierKind, str] = {
    "person number": f"1–{MAX_PERSON_NO} letters or digits (also - _ . / after the first)",
    "approval number": f"1–{MAX_APPROVAL_NO} letters or digits (also - _ . / after the first)",
    "ID number": "6–32 letters, digits or '-', starting with a letter or digit",
}


class IdentifierError(ValueError):
    """An identifier that no campus issues. The message never repeats the value (it may be
    personal data or a payload)."""

    def __init__(self, kind: IdentifierKind) -> None:
        self.kind = kind
        super().__init__(f"not a valid {kind}: expected {_EXPECTED[kind]}")


def check_person_no(value: str) -> str:
    """``value`` if it can be a campus person number, else :class:`IdentifierError`."""
    return _check(value, _PERSON_NO, "person number")


def check_approval_no(value: str) -> str:
    """``value`` if it can be a visit approval number, else :class:`IdentifierError`."""
    return _check(value, _APPROVAL_NO, "approval number")


def check_id_number(value: str) -> str:
    """``value`` if it can be an ID-document number, else :class:`IdentifierError`."""
    return _check(value, _ID_NUMBER, "ID number")


def school_approval_no(visit_date: dt.date, serial: str) -> str:
    """The approval number the school gives a visit filed for ``visit_date``."""
    return check_approval_no(f"V{visit_date:%Y%m%d}-{serial}")


def is_school_approval_no(value: str) -> bool:
    """Whether ``value`` has the form of the school's approval numbers (``V-0001``,
    ``V20220120-3FA91C``). Campus person numbers (``S2020001``, ``T1001``) have no such form."""
    return bool(_SCHOOL_APPROVAL_NO.fullmatch(value))


def _check(value: str, pattern: re.Pattern[str], kind: IdentifierKind) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise IdentifierError(kind)
    return value


_RESIDENT_ID = re.compile(r"[1-9][0-9]{16}[0-9X]")
_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"


def resident_id_ok(value: str) -> bool:
    """Whether ``value`` is an 18-character resident ID number (GB 11643-1999) whose check
    character matches its first 17 digits and whose birth date is a real date."""
    if not isinstance(value, str) or not _RESIDENT_ID.fullmatch(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _RESIDENT_WEIGHTS, strict=True))
    if _RESIDENT_CHECK[total % 11] != value[17]:
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year
