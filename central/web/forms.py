"""The forms of the web pages as pydantic models: every field's rule in one place.

Errors carry message keys of :mod:`central.web.i18n` (``err.…``) so the page can say what is
wrong in the visitor's language; nothing a visitor typed is echoed in an error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from kiosk.core.identifiers import IdentifierError, check_person_no, resident_id_ok
from kiosk.core.plates import PlateError, normalise_plate
from kiosk.core.regions import REGION_NAMES
from kiosk.store.schemas import FORMULA_START

MAX_NAME = 50
MAX_TEXT = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\ufffd]")
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_MARKUP = re.compile(r"[<>]")
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ ·.'-])*")
"""Letters of any script, with spaces, the middle dot, '.', '-' and apostrophes inside."""


def _text(value: Any, limit: int, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError("err.invalid")
    text = " ".join(value.split())
    if required and not text:
        raise ValueError("err.required")
    if len(text) > limit:
        raise ValueError("err.too_long")
    if _CONTROL.search(value) or _MARKUP.search(value):
        raise ValueError("err.control")
    if text.startswith(FORMULA_START):
        raise ValueError("err.formula")
    return text


def _name(value: Any) -> str:
    text = _text(value, MAX_NAME)
    if not _NAME.fullmatch(text):
        raise ValueError("err.name")
    return text


def _label(value: Any) -> str:
    return _text(value, MAX_TEXT)


def _id_number(value: Any) -> str:
    text = _text(value, 18).upper()
    if not resident_id_ok(text):
        raise ValueError("err.id_checksum")
    return text


def _phone(value: Any) -> str:
    text = _text(value, 20).replace(" ", "").replace("-", "")
    text = text.removeprefix("+86")
    if not _PHONE.fullmatch(text):
        raise ValueError("err.phone")
    return text


def _region(value: Any) -> str:
    text = _text(value, 6)
    if text not in REGION_NAMES:
        raise ValueError("err.region")
    return text


def _person_no(value: Any) -> str:
    text = _text(value, 32)
    try:
        return check_person_no(text)
    except IdentifierError:
        raise ValueError("err.person_no") from None


def _date(value: Any) -> dt.date:
    text = _text(value, 10)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("err.date") from None


def _plate(value: Any) -> str | None:
    text = _text(value, 32, required=False)
    if not text:
        return None
    try:
        return normalise_plate(text)
    except PlateError:
        raise ValueError("err.plate") from None


def _gates(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        text = _text(item, 32)
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}", text):
            raise ValueError("err.gate")
        out.append(text)
    return tuple(dict.fromkeys(out))


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FilingForm(_Form):
    """A visitor's filing (the server adds the filing time and number)."""

    name: Annotated[str, BeforeValidator(_name)]
    id_number: Annotated[str, BeforeValidator(_id_number)]
    phone: Annotated[str, BeforeValidator(_phone)]
    origin_region: Annotated[str, BeforeValidator(_region)]
    host_unit: Annotated[str, BeforeValidator(_label)]
    host_person_no: Annotated[str, BeforeValidator(_person_no)]
    visit_date: Annotated[dt.date, BeforeValidator(_date)]
    gates: Annotated[tuple[str, ...], BeforeValidator(_gates)] = ()
    reason: Annotated[str, BeforeValidator(_label)]
    plate: Annotated[str | None, BeforeValidator(_plate)] = None


class LoginForm(_Form):
    """A staff login."""

    username: Annotated[str, BeforeValidator(lambda v: _text(v, 32))]
    password: Annotated[str, BeforeValidator(lambda v: v if isinstance(v, str) else "")]


class StepForm(_Form):
    """An approver's decision on one filing, with an optional comment (required to refuse)."""

    action: Annotated[str, BeforeValidator(lambda v: _text(v, 10))]
    comment: Annotated[str, BeforeValidator(lambda v: _text(v, 500, required=False))] = ""


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Field → message key of the first error on it."""
    out: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else "form"
        if err["type"] == "missing":
            key = "err.required"
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            key = msg if msg.startswith("err.") else "err.invalid"
        out.setdefault(field, key)
    return out
