"""Issue and decode signed credentials (HK1 health code, CP1 campus pass, VA1 visit slip).

Decoding runs in a fixed order and stops at the first failure: size limit, prefix, Base45,
bounded zlib, COSE structure, key lookup, signature — and only then the claims, the key's
window at ``iat``, and ``iat``/``exp`` against the clock with a skew allowance. Whatever the
input, :func:`decode_credential` returns a verified credential or raises :class:`CredentialError`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

import cbor2

from kiosk.core.credentials import claims as cl
from kiosk.core.credentials.cose import (
    CoseError,
    UnsupportedAlgorithm,
    assemble,
    encode_sign1,
    loads_strict,
    parse_sign1,
)
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.credentials.transport import (
    CAMPUS_PASS,
    HEALTH_CODE,
    MAX_TEXT_CHARS,
    VISIT_SLIP,
    TransportError,
    UnknownPrefix,
    pack,
    split_prefix,
    unpack,
)
from kiosk.core.credentials.types import (
    Credential,
    CredentialError,
    Envelope,
    NatResult,
)
from kiosk.core.reasons import Reason

log = logging.getLogger(__name__)

DEFAULT_HEALTH_ISSUER = "health-code-reference"
DEFAULT_CAMPUS_ISSUER = "campus"
DEFAULT_SKEW_S = 300


def decode_credential(
    text: str | bytes, keyring: KeyRing, now: dt.datetime, skew_s: int = DEFAULT_SKEW_S
) -> Credential:
    """Verify and decode credential text (or ASCII bytes from a binary-mode QR code).

    Raises :class:`CredentialError` for every refused input, and only that; ``now`` must be
    timezone-aware and ``skew_s`` non-negative (a ``ValueError`` there is a programming error).
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if skew_s < 0:
        raise ValueError("skew_s must not be negative")
    try:
        return _decode(text, keyring, now, skew_s)
    except CredentialError as exc:
        log.debug("credential refused: %s", exc)
        raise
    except (UnknownPrefix, UnicodeDecodeError):
        detail = "not a credential format we accept"
        raise CredentialError(Reason.CODE_UNSUPPORTED, detail) from None
    except UnsupportedAlgorithm as exc:
        raise CredentialError(Reason.CREDENTIAL_INVALID_SIGNATURE, str(exc)) from None
    except (TransportError, CoseError, cl.ClaimError) as exc:
        raise CredentialError(Reason.CREDENTIAL_MALFORMED, str(exc)) from None
    except Exception as exc:  # hostile input must never escape as anything else
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        raise CredentialError(Reason.CREDENTIAL_MALFORMED, detail) from None


def _decode(text: str | bytes, keyring: KeyRing, now: dt.datetime, skew_s: int) -> Credential:
    if len(text) > MAX_TEXT_CHARS:
        raise CredentialError(
            Reason.CREDENTIAL_MALFORMED, f"too large: more than {MAX_TEXT_CHARS} characters"
        )
    if isinstance(text, bytes | bytearray | memoryview):
        text = bytes(text).decode("ascii")
    text = text.strip("\r\n")  # keyboard-wedge scanners end a code with Enter
    prefix, cose = unpack(text)
    message = parse_sign1(cose)
    key = keyring.verify(message, prefix, now)
    # the signature holds: only now are the claims read
    claims = cl.parse_claims(message.payload)
    if not key.valid_at(claims.iat):
        raise CredentialError(
            Reason.CREDENTIAL_UNKNOWN_KEY,
            f"kid {key.kid.hex()} was not valid when the credential was issued",
        )
    envelope = Envelope(
        prefix=prefix,
        kid=message.kid,
        alg=message.alg,
        iss=claims.iss,
        iat=claims.iat,
        exp=claims.exp,
    )
    credential = cl.BODY_PARSERS[prefix](envelope, claims.body)
    skew = dt.timedelta(seconds=skew_s)
    if claims.iat > now + skew:
        detail = f"issued at {claims.iat.isoformat()}"
        raise CredentialError(Reason.CREDENTIAL_NOT_YET_VALID, detail)
    if claims.exp < now - skew:
        raise CredentialError(Reason.CREDENTIAL_EXPIRED, f"expired at {claims.exp.isoformat()}")
    return credential


def sign_claims(
    key: SigningKey, prefix: str, claims: Mapping[int, Any], *, kid_in_protected: bool = True
) -> str:
    """Sign an arbitrary claims map as ``prefix`` credential text (no checks; tools and tests)."""
    cose = encode_sign1(
        cbor2.dumps(claims),
        alg=key.alg,
        kid=key.kid,
        sign=key.sign,
        kid_in_protected=kid_in_protected,
    )
    return pack(prefix, cose)


def _issue(
    key: SigningKey,
    prefix: str,
    *,
    iss: str,
    iat: dt.datetime,
    exp: dt.datetime,
    body: dict[str, Any],
) -> str:
    payload = cl.encode_payload(iss=iss, iat=iat, exp=exp, body=body)
    # refuse to issue what a kiosk would refuse to read
    try:
        parsed = cl.parse_claims(payload)
        envelope = Envelope(prefix, key.kid, key.alg, parsed.iss, parsed.iat, parsed.exp)
        cl.BODY_PARSERS[prefix](envelope, parsed.body)
    except cl.ClaimError as exc:
        raise ValueError(str(exc)) from None
    cose = encode_sign1(payload, alg=key.alg, kid=key.kid, sign=key.sign)
    return pack(prefix, cose)


def issue_health_code(
    key: SigningKey,
    *,
    name: str,
    id_number: str,
    color: str = "green",
    nat: NatResult | None = None,
    visited_regions: Iterable[str] = (),
    vaccine_doses: int = 3,
    iat: dt.datetime,
    exp: dt.datetime,
    iss: str = DEFAULT_HEALTH_ISSUER,
) -> str:
    """Signed ``HK1`` health-code text; raises ValueError for claims a kiosk would refuse."""
    body = cl.health_code_body(
        name=name,
        id_number=id_number,
        color=color,
        nat=nat,
        visited_regions=visited_regions,
        vaccine_doses=vaccine_doses,
    )
    return _issue(key, HEALTH_CODE, iss=iss, iat=iat, exp=exp, body=body)


def issue_campus_pass(
    key: SigningKey,
    *,
    person_no: str,
    role: str,
    color: str = "green",
    checked_in: bool = True,
    iat: dt.datetime,
    exp: dt.datetime,
    nonce: bytes | None = None,
    iss: str = DEFAULT_CAMPUS_ISSUER,
) -> str:
    """Signed ``CP1`` campus-pass text with a fresh random 16-byte nonce unless one is given."""
    body = cl.campus_pass_body(
        person_no=person_no,
        role=role,
        color=color,
        checked_in=checked_in,
        nonce=os.urandom(cl.NONCE_BYTES) if nonce is None else nonce,
    )
    return _issue(key, CAMPUS_PASS, iss=iss, iat=iat, exp=exp, body=body)


def issue_visit_slip(
    key: SigningKey,
    *,
    approval_no: str,
    iat: dt.datetime,
    exp: dt.datetime,
    iss: str = DEFAULT_CAMPUS_ISSUER,
) -> str:
    """Signed ``VA1`` visit-approval-slip text."""
    body = cl.visit_slip_body(approval_no=approval_no)
    return _issue(key, VISIT_SLIP, iss=iss, iat=iat, exp=exp, body=body)


def tamper(text: str) -> str:
    """Test helper: the same credential with one payload byte flipped after signing.

    The result is well-formed in every layer but its signature no longer verifies
    (scenario files ask for it with ``"tamper": true``).
    """
    prefix, _ = split_prefix(text)
    _, cose = unpack(text)
    item = loads_strict(cose)
    fields = list(item.value if isinstance(item, cbor2.CBORTag) else item)
    protected, unprotected, payload, signature = fields
    flipped = bytearray(payload)
    flipped[len(flipped) // 2] ^= 0x01
    return pack(
        prefix,
        assemble(
            protected,
            unprotected,
            bytes(flipped),
            signature,
            tagged=isinstance(item, cbor2.CBORTag),
        ),
    )
