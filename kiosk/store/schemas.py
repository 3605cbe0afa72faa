"""One declarative schema per registry record kind, shared by every way records come in.

CSV import, scenario files and the sync feed validate rows with these pydantic models and turn
them into the engine's record dataclasses (``kiosk.core.registry``) with :func:`to_record`.
A row may carry a raw ID number and full name (CSV, scenarios: they become the keyed HMAC and
masked forms here and go no further) or the HMAC and masked forms themselves (the sync feed).

Validation context (``model_validate(row, context=...)``): ``tz`` — campus time zone for times
without an offset (required for such times); ``key`` — the campus HMAC key (required for rows
with a raw ID number).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.core.dates import check_date
from kiosk.core.identifiers import check_approval_no, check_id_number, check_person_no
from kiosk.core.identity import (
    MAX_APPROVAL_NO_CHARS,
    MAX_ID_NUMBER_CHARS,
    MAX_NAME_CHARS,
    MAX_PERSON_NO_CHARS,
    id_hmac,
    mask_id,
    mask_name,
)
from kiosk.core.plates import PlateError, normalise_plate
from kiosk.core.registry import (
    Checkin,
    CheckinStatus,
    LeaveApproval,
    LeaveKind,
    Person,
    Quarantine,
    Revocation,
    RiskArea,
    RiskLevel,
    Role,
    Status,
    StayApproval,
    TrustKey,
    Vehicle,
    VisitApproval,
)

__all__ = ["KIND_SCHEMAS", "RecordError", "RowsError", "ValidationError", "to_record", "to_records"]

IDENT_MAX = 32  # leave ids, gate ids, revocation kinds (person and approval numbers: identity.py)
LABEL_MAX = 200
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_IDENT = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]*$")
_REGION = re.compile(r"^\d{2,12}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HMAC = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


class RecordError(ValueError):
    """A registry row cannot become a record; the message names the field and why."""


class RowsError(RecordError):
    """One row of a list cannot become a record: ``index`` says which (from 0)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def _plain(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected {what} as text, got {type(value).__name__}")
    if _CONTROL.search(value):
        raise ValueError(f"expected {what} without control characters")
    if len(value) > limit:
        raise ValueError(f"expected {what} of at most {limit} characters, got {len(value)}")
    return value


def _ident(value: Any) -> str:
    """A leave id, gate id or revocation kind: the campus identifier rule, 32 characters."""
    text = _plain(value, "an identifier", IDENT_MAX).strip()
    if not _IDENT.match(text):
        raise ValueError(
            "expected an identifier (letters, digits and . _ / - after the first letter or"
            f" digit), got {text!r}"
        )
    return text


def _person_no(value: Any) -> str:
    return check_person_no(_plain(value, "a person number", MAX_PERSON_NO_CHARS).strip())


def _approval_no(value: Any) -> str:
    return check_approval_no(_plain(value, "an approval number", MAX_APPROVAL_NO_CHARS).strip())


def _label(value: Any) -> str:
    text = _plain(value, "text", LABEL_MAX).strip()
    if text.startswith(FORMULA_START):
        raise ValueError(f"expected text that does not start with = + - @, got {text!r}")
    return text


def _name(value: Any) -> str:
    text = _plain(value, "a name", MAX_NAME_CHARS)
    text = _label(text)
    if not text:
        raise ValueError("expected a name, got an empty value")
    return text


def _region(value: Any) -> str:
    text = _plain(value, "a region code", 12).strip()
    if not _REGION.match(text):
        raise ValueError(f"expected a GB/T 2260 region code (digits), got {text!r}")
    return text


def _id_number(value: Any) -> str:
    text = _plain(value, "an ID number", MAX_ID_NUMBER_CHARS).strip()
    return check_id_number(text).upper()  # the error never echoes the number


def _hmac(value: Any) -> str:
    text = _plain(value, "an ID HMAC", 64)
    if not _HMAC.fullmatch(text):
        raise ValueError("expected an ID HMAC (64 lowercase hex digits)")
    return text


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date YYYY-MM-DD, got a time")
    if not isinstance(value, dt.date):
        text = _plain(value, "a date", 10).strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, got {text!r}") from None
    return check_date(value)


def _time(value: Any, info: ValidationInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        text = _plain(value, "a time", 40).strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"expected a time like 2022-01-20T09:00:00+08:00, got {text!r}"
            ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        tz = (info.context or {}).get("tz")
        if tz is None:
            raise ValueError("expected a time with a UTC offset")
        value = value.replace(tzinfo=tz)
    return check_date(value)


def _optional_time(value: Any, info: ValidationInfo) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null")):
        return None
    return _time(value, info)


def _plate(value: Any) -> str:
    try:
        return normalise_plate(value)
    except PlateError as exc:
        raise ValueError(str(exc)) from None


def _optional_plate(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _plate(value)


def _optional_day(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _date(value)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    low = _plain(value, "true or false", 5).strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _gates(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [g for g in re.split(r"[\s|]+", value) if g]
    if not isinstance(value, list | tuple):
        raise ValueError("expected gate ids separated by spaces or |, or a list")
    return tuple(_ident(g) for g in value)


def _choice(options: Any) -> BeforeValidator:
    allowed = get_args(options)

    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return value

    return BeforeValidator(check)


Ident = Annotated[str, BeforeValidator(_ident)]
PersonNo = Annotated[str, BeforeValidator(_person_no)]
ApprovalNo = Annotated[str, BeforeValidator(_approval_no)]
Label = Annotated[str, BeforeValidator(_label)]
Name = Annotated[str, BeforeValidator(_name)]
Region = Annotated[str, BeforeValidator(_region)]
IdNumber = Annotated[str, BeforeValidator(_id_number)]
IdHmac = Annotated[str, BeforeValidator(_hmac)]
Day = Annotated[dt.date, BeforeValidator(_date)]
Time = Annotated[dt.datetime, BeforeValidator(_time)]
OpenTime = Annotated[dt.datetime | None, BeforeValidator(_optional_time)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Plate = Annotated[str, BeforeValidator(_plate)]
OptionalPlate = Annotated[str | None, BeforeValidator(_optional_plate)]
OpenDay = Annotated[dt.date | None, BeforeValidator(_optional_day)]
Gates = Annotated[tuple[str, ...], BeforeValidator(_gates)]
RoleField = Annotated[Role, _choice(Role)]
StatusField = Annotated[Status, _choice(Status)]


def _masked(value: Any) -> str:
    return _plain(value, "a masked form", LABEL_MAX)


Masked = Annotated[str, AfterValidator(_masked)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Identified(_Row):
    """A row naming a person by raw ID number and name, or by their HMAC and masked forms."""

    name: Name | None = None
    name_masked: Masked | None = None
    id_number: IdNumber | None = None
    id_hmac: IdHmac | None = None
    id_masked: Masked | None = None

    @model_validator(mode="after")
    def _one_form(self) -> _Identified:
        if self.name is not None and self.name_masked is not None:
            raise ValueError("give name or name_masked, not both")
        if self.id_number is not None and (self.id_hmac or self.id_masked):
            raise ValueError("give id_number or id_hmac/id_masked, not both")
        return self

    @field_validator("id_number")
    @classmethod
    def _needs_key(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not (info.context or {}).get("key"):
            raise ValueError("an ID number needs the campus key (none given)")
        return value

    def identity(self, key: bytes | None) -> tuple[str | None, str | None]:
        """(HMAC, masked ID number) of the row."""
        if self.id_number is not None:
            assert key is not None
            return id_hmac(key, self.id_number), mask_id(self.id_number)
        return self.id_hmac, self.id_masked

    def masked_name(self) -> str:
        """The masked name (``王*``)."""
        if self.name is not None:
            return mask_name(self.name)
        return self.name_masked or ""


class PersonRow(_Identified):
    person_no: PersonNo
    role: RoleField
    unit: Label = ""
    active: Flag = True

    def record(self, key: bytes | None) -> Person:
        """The engine's record."""
        hmac_, masked = self.identity(key)
        return Person(
            self.person_no, self.role, self.masked_name(), hmac_, masked, self.unit, self.active
        )


class VisitRow(_Identified):
    approval_no: ApprovalNo
    origin_region: Region
    host_unit: Label
    host_person_no: PersonNo
    visit_date: Day
    gates: Gates = ()
    filed_at: Time
    status: StatusField
    plate: OptionalPlate = None

    @model_validator(mode="after")
    def _identified(self) -> VisitRow:
        if self.id_number is None and self.id_hmac is None:
            raise ValueError("expected the visitor's id_number (or id_hmac)")
        if self.name is None and self.name_masked is None:
            raise ValueError("expected the visitor's name")
        return self

    def record(self, key: bytes | None) -> VisitApproval:
        """The engine's record."""
        hmac_, masked = self.identity(key)
        assert hmac_ is not None
        return VisitApproval(
            approval_no=self.approval_no,
            name_masked=self.masked_name(),
            id_hmac=hmac_,
            origin_region=self.origin_region,
            host_unit=self.host_unit,
            host_person_no=self.host_person_no,
            visit_date=self.visit_date,
            gates=self.gates,
            filed_at=self.filed_at,
            status=self.status,
            id_masked=masked,
            plate=self.plate,
        )


class StayRow(_Row):
    person_no: PersonNo
    start: Day = Field(alias="from")
    until: Day
    status: StatusField

    @model_validator(mode="after")
    def _ordered(self) -> StayRow:
        if self.until < self.start:
            raise ValueError(f"ends ({self.until}) before it starts ({self.start})")
        return self

    def record(self, key: bytes | None) -> StayApproval:
        """The engine's record."""
        return StayApproval(self.person_no, self.start, self.until, self.status)


class LeaveRow(_Row):
    leave_id: Ident | None = None
    person_no: PersonNo
    kind: Annotated[LeaveKind, _choice(LeaveKind)]
    start: Time = Field(alias="from")
    until: Time
    destination_region: Region
    status: StatusField
    returned_at: OpenTime = None

    @model_validator(mode="after")
    def _ordered(self) -> LeaveRow:
        if self.until <= self.start:
            raise ValueError(
                f"ends ({self.until.isoformat()}) before it starts ({self.start.isoformat()})"
            )
        if self.returned_at is not None and self.returned_at < self.start:
            raise ValueError("returned_at is before the leave starts")
        return self

    def record(self, key: bytes | None) -> LeaveApproval:
        """The engine's record; the default id is ``<person_no>-<from as YYYYMMDDHHMM>``."""
        leave_id = self.leave_id or f"{self.person_no}-{self.start.strftime('%Y%m%d%H%M')}"
        return LeaveApproval(
            leave_id,
            self.person_no,
            self.kind,
            self.start,
            self.until,
            self.destination_region,
            self.status,
            self.returned_at,
        )


class QuarantineRow(_Row):
    id_number: IdNumber | None = None
    id_hmac: IdHmac | None = None
    person_no: PersonNo | None = None
    start: Time = Field(alias="from")
    until: OpenTime = None

    @model_validator(mode="after")
    def _someone(self) -> QuarantineRow:
        if self.id_number is None and self.id_hmac is None and self.person_no is None:
            raise ValueError("expected id_number or person_no (or both)")
        if self.id_number is not None and self.id_hmac is not None:
            raise ValueError("give id_number or id_hmac, not both")
        if self.until is not None and self.until < self.start:
            raise ValueError("ends before it starts")
        return self

    @field_validator("id_number")
    @classmethod
    def _needs_key(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not (info.context or {}).get("key"):
            raise ValueError("an ID number needs the campus key (none given)")
        return value

    def record(self, key: bytes | None) -> Quarantine:
        """The engine's record."""
        hmac_ = self.id_hmac
        if self.id_number is not None:
            assert key is not None
            hmac_ = id_hmac(key, self.id_number)
        return Quarantine(hmac_, self.person_no, self.start, self.until)


class RiskAreaRow(_Row):
    region_code: Region
    level: Annotated[RiskLevel, _choice(RiskLevel)]
    start: Time = Field(alias="from")
    until: OpenTime = None

    @model_validator(mode="after")
    def _ordered(self) -> RiskAreaRow:
        if self.until is not None and self.until < self.start:
            raise ValueError("ends before it starts")
        return self

    def record(self, key: bytes | None) -> RiskArea:
        """The engine's record."""
        return RiskArea(self.region_code, self.level, self.start, self.until)


class CheckinRow(_Row):
    person_no: PersonNo
    date: Day
    status: Annotated[CheckinStatus, _choice(CheckinStatus)]

    def record(self, key: bytes | None) -> Checkin:
        """The engine's record."""
        return Checkin(self.person_no, self.date, self.status)


class RevocationRow(_Row):
    kind: Ident
    person_no: PersonNo

    def record(self, key: bytes | None) -> Revocation:
        """The engine's record."""
        return Revocation(self.kind, self.person_no)


class VehicleRow(_Row):
    plate: Plate
    unit: Label = ""
    person_no: PersonNo | None = None
    until: OpenDay = None
    active: Flag = True

    @field_validator("person_no", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def record(self, key: bytes | None) -> Vehicle:
        """The engine's record."""
        return Vehicle(self.plate, self.unit, self.person_no, self.until, self.active)


def _hex_bytes(limit: int) -> BeforeValidator:
    def check(value: Any) -> bytes:
        if isinstance(value, bytes):
            return value
        text = _plain(value, "hex digits", limit * 2)
        if not _HEX.fullmatch(text):
            raise ValueError("expected lowercase hex digits")
        return bytes.fromhex(text)

    return BeforeValidator(check)


class TrustKeyRow(_Row):
    """A trust-list entry as the sync feed carries it: ``kid`` and the SubjectPublicKeyInfo
    DER ``public_key`` as lowercase hex. Whether the key is usable is the key ring's check
    (``TrustedKey.from_record``), as for a trust-list file."""

    kid: Annotated[bytes, _hex_bytes(8)]
    alg: Annotated[str, _choice(Literal["EdDSA", "ES256"])]
    public_key: Annotated[bytes, _hex_bytes(1024)]
    issuer: Label
    not_before: OpenTime = None
    not_after: OpenTime = None
    prefixes: tuple[Annotated[str, BeforeValidator(_ident)], ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> TrustKeyRow:
        if len(self.kid) != 8:
            raise ValueError("kid: expected 8 bytes (16 hex digits)")
        if self.not_before and self.not_after and self.not_after < self.not_before:
            raise ValueError("not_after is before not_before")
        return self

    def record(self, key: bytes | None) -> TrustKey:
        """The engine's record."""
        return TrustKey(
            self.kid,
            self.alg,  # type: ignore[arg-type]
            self.public_key,
            self.issuer,
            self.not_before,
            self.not_after,
            self.prefixes,
        )


KIND_SCHEMAS: dict[str, type[_Row]] = {
    "people": PersonRow,
    "visit_approvals": VisitRow,
    "stay_approvals": StayRow,
    "leave_approvals": LeaveRow,
    "quarantines": QuarantineRow,
    "risk_areas": RiskAreaRow,
    "checkins": CheckinRow,
    "revocations": RevocationRow,
    "trust_keys": TrustKeyRow,
    "vehicles": VehicleRow,
}
"""Schema per registry kind, named as the store's kinds (``kiosk.store.records.ALL_KINDS``)."""


def to_record(
    kind: str, row: Mapping[str, Any], *, tz: dt.tzinfo | None = None, key: bytes | None = None
) -> Any:
    """Validate ``row`` against the schema of ``kind`` and return the engine's record.

    Raises :class:`RecordError` with one line naming the first bad field and why.
    """
    schema = KIND_SCHEMAS[kind]
    try:
        model = schema.model_validate(dict(row), context={"tz": tz, "key": key})
    except ValidationError as exc:
        raise RecordError(first_error(exc)) from None
    return model.record(key)  # type: ignore[attr-defined]


@cache
def _list_schema(kind: str) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[KIND_SCHEMAS[kind]])  # type: ignore[valid-type]


def to_records(
    kind: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    tz: dt.tzinfo | None = None,
    key: bytes | None = None,
) -> list[Any]:
    """Validate every row of ``rows`` against the schema of ``kind`` in one call (the same
    checks as :func:`to_record`, row by row) and return the engine's records.

    Raises :class:`RowsError` with the index of the first bad row and one line naming its
    first bad field and why.
    """
    try:
        models = _list_schema(kind).validate_python(rows, context={"tz": tz, "key": key})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        index = err["loc"][0] if err["loc"] else 0
        raise RowsError(int(index), _line(err, err["loc"][1:])) from None
    return [model.record(key) for model in models]


def first_error(exc: ValidationError) -> str:
    """One line for the first error: ``field: message``, or the message of a row-level check."""
    err = exc.errors(include_url=False)[0]
    return _line(err, err["loc"])


def _line(err: Any, loc: Sequence[Any]) -> str:
    field = ".".join(str(p) for p in loc)
    msg = _message(err)
    return f"{field}: {msg}" if field else msg


def error_field(exc: ValidationError) -> str | None:
    """The field the first error is about (None for a row-level check)."""
    loc = exc.errors(include_url=False)[0]["loc"]
    return str(loc[0]) if loc else None


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "expected a value, got none"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")
