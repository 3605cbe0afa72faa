"""The signed CBOR payload of a credential: claim keys, body keys, and their strict checks.

Payload map (integer keys, as in CWT/DCC): ``1`` iss (text), ``4`` exp and ``6`` iat (integer
epoch seconds), ``-260`` the credential body, a map with short text keys defined below and
documented in ``docs/credentials.md``. Reading never trusts a type: every claim is checked and
a failure raises :class:`ClaimError` naming the claim. Unknown body keys are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import cbor2

from kiosk.core.credentials.cose import loads_strict
from kiosk.core.credentials.transport import CAMPUS_PASS, HEALTH_CODE, VISIT_SLIP
from kiosk.core.credentials.types import (
    CampusPass,
    Color,
    Credential,
    Envelope,
    HealthCode,
    NatResult,
    VisitSlip,
)
from kiosk.core.identity import (
    MAX_APPROVAL_NO_CHARS,
    MAX_ID_NUMBER_CHARS,
    MAX_NAME_CHARS,
    MAX_PERSON_NO_CHARS,
)

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_BODY = -260

# body keys (text): health code HK1
NAME = "n"
ID_NUMBER = "id"
COLOR = "c"  # also campus pass
NAT = "nat"
NAT_RESULT = "r"
NAT_SAMPLED_AT = "t"
VISITED_REGIONS = "vr"
VACCINE_DOSES = "vd"
# campus pass CP1
PERSON_NO = "pn"
ROLE = "ro"
CHECKED_IN = "ci"
NONCE = "nc"
# visit approval slip VA1
APPROVAL_NO = "an"

COLORS: tuple[Color, ...] = get_args(Color)
NatOutcome = Literal["negative", "positive"]
NAT_RESULTS: tuple[NatOutcome, ...] = get_args(NatOutcome)
NONCE_BYTES = 16
MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z
MAX_REGIONS = 100
MAX_DOSES = 20
_REGION = re.compile(r"[0-9]{6}")
_ID_NUMBER = re.compile(r"[0-9A-Za-z-]{1,32}")


class ClaimError(ValueError):
    """A claim is missing or has the wrong type or value; ``claim`` names it."""

    def __init__(self, claim: str, problem: str) -> None:
        self.claim = claim
        super().__init__(f"claim {claim}: {problem}")


@dataclass(frozen=True)
class Claims:
    """The checked top-level claims of a payload; ``body`` is still unchecked."""

    iss: str
    iat: dt.datetime
    exp: dt.datetime
    body: Mapping[Any, Any]


def to_epoch(when: dt.datetime) -> int:
    """Whole epoch seconds of an aware datetime (fractions are dropped)."""
    if when.utcoffset() is None:
        raise ValueError("credential times must be timezone-aware")
    return int(when.timestamp())


def from_epoch(value: Any, claim: str) -> dt.datetime:
    """An aware UTC datetime from an integer epoch claim, checked for type and range."""
    if type(value) is not int:
        raise ClaimError(claim, "expected integer epoch seconds")
    if not 0 <= value <= MAX_EPOCH:
        raise ClaimError(claim, "epoch seconds out of range")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def encode_payload(*, iss: str, iat: dt.datetime, exp: dt.datetime, body: dict[str, Any]) -> bytes:
    """CBOR payload bytes for these claims."""
    return cbor2.dumps(
        {CLAIM_ISS: iss, CLAIM_EXP: to_epoch(exp), CLAIM_IAT: to_epoch(iat), CLAIM_BODY: body}
    )


def parse_claims(payload: bytes) -> Claims:
    """Decode and check the top-level claims (call only after the signature verified)."""
    claims = loads_strict(payload)
    if not isinstance(claims, Mapping):
        raise ClaimError("payload", "expected a map")
    iss = _text(_required(claims, CLAIM_ISS, "1 (iss)"), "1 (iss)", 200)
    exp = from_epoch(_required(claims, CLAIM_EXP, "4 (exp)"), "4 (exp)")
    iat = from_epoch(_required(claims, CLAIM_IAT, "6 (iat)"), "6 (iat)")
    if exp < iat:
        raise ClaimError("4 (exp)", "earlier than iat")
    body = _required(claims, CLAIM_BODY, "-260 (body)")
    if not isinstance(body, Mapping):
        raise ClaimError("-260 (body)", "expected a map")
    return Claims(iss=iss, iat=iat, exp=exp, body=body)


def health_code_body(
    *,
    name: str,
    id_number: str,
    color: str,
    nat: NatResult | None,
    visited_regions: Iterable[str],
    vaccine_doses: int,
) -> dict[str, Any]:
    """The HK1 body map."""
    body: dict[str, Any] = {
        NAME: name,
        ID_NUMBER: id_number,
        COLOR: color,
        VISITED_REGIONS: list(visited_regions),
        VACCINE_DOSES: vaccine_doses,
    }
    if nat is not None:
        body[NAT] = {NAT_RESULT: nat.result, NAT_SAMPLED_AT: to_epoch(nat.sampled_at)}
    return body


def campus_pass_body(
    *, person_no: str, role: str, color: str, checked_in: bool, nonce: bytes
) -> dict[str, Any]:
    """The CP1 body map."""
    return {PERSON_NO: person_no, ROLE: role, COLOR: color, CHECKED_IN: checked_in, NONCE: nonce}


def visit_slip_body(*, approval_no: str) -> dict[str, Any]:
    """The VA1 body map."""
    return {APPROVAL_NO: approval_no}


def parse_health_code(envelope: Envelope, body: Mapping[Any, Any]) -> HealthCode:
    """Check an HK1 body and build the credential."""
    nat_raw = body.get(NAT)
    nat = None
    if nat_raw is not None:
        if not isinstance(nat_raw, Mapping):
            raise ClaimError("nat", "expected a map")
        result = _required(nat_raw, NAT_RESULT, "nat.r")
        if type(result) is not str or result not in NAT_RESULTS:
            raise ClaimError("nat.r", "expected negative or positive")
        sampled = from_epoch(_required(nat_raw, NAT_SAMPLED_AT, "nat.t"), "nat.t")
        nat = NatResult(result=cast(NatOutcome, result), sampled_at=sampled)
    regions = _required(body, VISITED_REGIONS, VISITED_REGIONS)
    if not isinstance(regions, list | tuple) or len(regions) > MAX_REGIONS:
        raise ClaimError(VISITED_REGIONS, f"expected a list of at most {MAX_REGIONS} codes")
    for i, code in enumerate(regions):
        if not isinstance(code, str) or not _REGION.fullmatch(code):
            raise ClaimError(f"{VISITED_REGIONS}[{i}]", "expected a 6-digit GB/T 2260 code")
    doses = _required(body, VACCINE_DOSES, VACCINE_DOSES)
    if type(doses) is not int or not 0 <= doses <= MAX_DOSES:
        raise ClaimError(VACCINE_DOSES, f"expected an integer 0-{MAX_DOSES}")
    id_number = _text(_required(body, ID_NUMBER, ID_NUMBER), ID_NUMBER, MAX_ID_NUMBER_CHARS)
    if not _ID_NUMBER.fullmatch(id_number):
        raise ClaimError(ID_NUMBER, "expected letters, digits or '-'")
    return HealthCode(
        envelope=envelope,
        name=_text(_required(body, NAME, NAME), NAME, MAX_NAME_CHARS),
        id_number=id_number,
        color=_color(body),
        nat=nat,
        visited_regions=tuple(regions),
        vaccine_doses=doses,
    )


def parse_campus_pass(envelope: Envelope, body: Mapping[Any, Any]) -> CampusPass:
    """Check a CP1 body and build the credential."""
    checked_in = _required(body, CHECKED_IN, CHECKED_IN)
    if not isinstance(checked_in, bool):
        raise ClaimError(CHECKED_IN, "expected a boolean")
    nonce = _required(body, NONCE, NONCE)
    if not isinstance(nonce, bytes) or len(nonce) != NONCE_BYTES:
        raise ClaimError(NONCE, f"expected {NONCE_BYTES} bytes")
    return CampusPass(
        envelope=envelope,
        person_no=_text(_required(body, PERSON_NO, PERSON_NO), PERSON_NO, MAX_PERSON_NO_CHARS),
        role=_text(_required(body, ROLE, ROLE), ROLE, 32),
        color=_color(body),
        checked_in=checked_in,
        nonce=nonce,
    )


def parse_visit_slip(envelope: Envelope, body: Mapping[Any, Any]) -> VisitSlip:
    """Check a VA1 body and build the credential."""
    approval_no = _text(
        _required(body, APPROVAL_NO, APPROVAL_NO), APPROVAL_NO, MAX_APPROVAL_NO_CHARS
    )
    return VisitSlip(envelope=envelope, approval_no=approval_no)


BODY_PARSERS: dict[str, Callable[[Envelope, Mapping[Any, Any]], Credential]] = {
    HEALTH_CODE: parse_health_code,
    CAMPUS_PASS: parse_campus_pass,
    VISIT_SLIP: parse_visit_slip,
}


def _required(mapping: Mapping[Any, Any], key: int | str, claim: str) -> Any:
    # ``True == 1`` in Python: make sure a boolean key never stands in for an integer one
    for existing in mapping:
        if existing == key and type(existing) is not type(key):
            raise ClaimError(claim, "key has the wrong type")
    if key not in mapping:
        raise ClaimError(claim, "missing")
    return mapping[key]


def _text(value: Any, claim: str, max_len: int) -> str:
    if type(value) is not str:
        raise ClaimError(claim, "expected text")
    if not 0 < len(value) <= max_len:
        raise ClaimError(claim, f"expected 1-{max_len} characters")
    if any(ch < " " or ch == "\x7f" for ch in value):
        raise ClaimError(claim, "control characters are not allowed")
    return value


def _color(body: Mapping[Any, Any]) -> Color:
    color = _required(body, COLOR, COLOR)
    if type(color) is not str or color not in COLORS:
        raise ClaimError(COLOR, f"expected one of {', '.join(COLORS)}")
    return cast(Color, color)
