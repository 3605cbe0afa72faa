"""COSE_Sign1 (RFC 9052) as the EU Digital COVID Certificate uses it: build and strict parse.

Structure: ``18([protected: bstr, unprotected: map, payload: bstr, signature: bstr])`` (the tag
is optional on input). The protected header is a bstr-wrapped map ``{1: alg, 4: kid}``; the
``kid`` may instead sit in the unprotected header, the ``alg`` may not. The signature covers
``["Signature1", protected, b"", payload]``. Parsing checks structure only; it never trusts a
value it has not been signed over (see :mod:`kiosk.core.credentials.keys` for verification).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from kiosk.core.credentials.types import Algorithm

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
ALG_IDS: dict[Algorithm, int] = {"EdDSA": -8, "ES256": -7}
ALG_NAMES: dict[int, Algorithm] = {v: k for k, v in ALG_IDS.items()}
MAX_KID_BYTES = 64
_MAX_DEPTH = 16
# cbor2 strips the self-describe tag silently; a credential must not carry it (see below).
SELF_DESCRIBE_TAG = 55799


class CoseError(ValueError):
    """The bytes are not a well-formed COSE_Sign1 message we can verify."""


class UnsupportedAlgorithm(CoseError):
    """The protected header names an algorithm this kiosk does not verify."""


@dataclass(frozen=True)
class Sign1:
    """A parsed, not yet verified, COSE_Sign1 message."""

    protected: bytes  # the bstr exactly as signed
    alg: Algorithm
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        """The Sig_structure bytes the signature must cover."""
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """Encode ``["Signature1", protected, b"", payload]``."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def _refuse_tag(value: Any, immutable: bool) -> Any:
    # cbor2 names the tag in the error it raises around this one.
    raise CoseError("self-describe tag refused")


def loads_strict(data: bytes) -> Any:
    """Decode one CBOR item: definite lengths, no duplicate keys, bounded depth, no trailing bytes.

    The self-describe tag 55799 is refused wherever it appears: it adds nothing to a message
    whose meaning the prefix already gives, our issuers never emit it, and accepting it would
    give one credential a second byte form. Other tags reach the caller, which refuses all but
    COSE_Sign1's. Raises whatever cbor2 raises on bad input (callers turn any exception into a
    refusal).
    """
    fp = io.BytesIO(data)
    decoder = cbor2.CBORDecoder(
        fp,
        max_depth=_MAX_DEPTH,
        allow_indefinite=False,
        allow_duplicate_keys=False,
        semantic_decoders={SELF_DESCRIBE_TAG: _refuse_tag},
    )
    item = decoder.decode()
    if fp.tell() != len(data):
        raise CoseError(f"{len(data) - fp.tell()} trailing bytes after the CBOR item")
    return item


def encode_sign1(
    payload: bytes,
    *,
    alg: Algorithm,
    kid: bytes,
    sign: Callable[[bytes], bytes],
    kid_in_protected: bool = True,
    tagged: bool = True,
) -> bytes:
    """Build a COSE_Sign1 message over ``payload`` with the given signing function."""
    header: dict[int, Any] = {HEADER_ALG: ALG_IDS[alg]}
    unprotected: dict[int, Any] = {}
    if kid_in_protected:
        header[HEADER_KID] = kid
    else:
        unprotected[HEADER_KID] = kid
    protected = cbor2.dumps(header)
    signature = sign(sig_structure(protected, payload))
    return assemble(protected, unprotected, payload, signature, tagged=tagged)


def assemble(
    protected: bytes,
    unprotected: Mapping[int, Any],
    payload: bytes,
    signature: bytes,
    *,
    tagged: bool = True,
) -> bytes:
    """Encode the four COSE_Sign1 fields as given (also used to build hostile test messages)."""
    header = dict(unprotected) if isinstance(unprotected, Mapping) else unprotected
    body = [protected, header, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, body) if tagged else body)


def parse_sign1(data: bytes) -> Sign1:
    """Parse a COSE_Sign1 message, raising :class:`CoseError` on any structural problem."""
    item = loads_strict(data)
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise CoseError(f"CBOR tag {item.tag} is not COSE_Sign1 ({COSE_SIGN1_TAG})")
        item = item.value
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise CoseError("not a COSE_Sign1 array of 4 elements")
    protected, unprotected, payload, signature = item
    if not isinstance(protected, bytes) or not protected:
        raise CoseError("protected header is not a non-empty byte string")
    if not isinstance(unprotected, Mapping):
        raise CoseError("unprotected header is not a map")
    if not isinstance(payload, bytes):
        raise CoseError("payload is not a byte string (detached payloads are not supported)")
    if not isinstance(signature, bytes):
        raise CoseError("signature is not a byte string")
    header = loads_strict(protected)
    if not isinstance(header, Mapping):
        raise CoseError("protected header is not a map")
    if any(isinstance(label, bool) for label in (*header, *unprotected)):
        raise CoseError("header labels must be integers or text, not booleans")
    alg_id = header.get(HEADER_ALG)
    if alg_id is None:
        raise CoseError("alg missing from the protected header")
    if type(alg_id) is not int:
        raise CoseError("alg is not an integer")
    alg = ALG_NAMES.get(alg_id)
    if alg is None:
        raise UnsupportedAlgorithm(f"algorithm {alg_id} is not supported")
    kid = header[HEADER_KID] if HEADER_KID in header else unprotected.get(HEADER_KID)
    if kid is None:
        raise CoseError("kid missing from both headers")
    if not isinstance(kid, bytes) or not 0 < len(kid) <= MAX_KID_BYTES:
        raise CoseError("kid is not a byte string of 1-64 bytes")
    return Sign1(protected=protected, alg=alg, kid=kid, payload=payload, signature=signature)
