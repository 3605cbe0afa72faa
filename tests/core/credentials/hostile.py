"""A table of hostile credential texts, each with the reason it must be refused for.

Shared by the refusal tests and the time-bound test. Every builder returns the text (or bytes)
and the key ring to decode it with; the clock is ``conftest.NOW``.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.core.credentials import base45
from kiosk.core.credentials.codec import (
    issue_campus_pass,
    issue_health_code,
    issue_visit_slip,
    sign_claims,
    tamper,
)
from kiosk.core.credentials.cose import assemble, encode_sign1, sig_structure
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.credentials.transport import pack, unpack
from kiosk.core.reasons import Reason

from .conftest import ALL_PREFIXES, NOW

HOUR = dt.timedelta(hours=1)
T_NOW = int(NOW.timestamp())
MALFORMED = Reason.CREDENTIAL_MALFORMED
BAD_SIG = Reason.CREDENTIAL_INVALID_SIGNATURE
UNKNOWN_KEY = Reason.CREDENTIAL_UNKNOWN_KEY
UNSUPPORTED = Reason.CODE_UNSUPPORTED


@dataclass(frozen=True)
class Keys:
    ed: SigningKey
    es: SigningKey
    other: SigningKey  # an Ed25519 key nobody trusts
    ring: KeyRing


Built = tuple[str | bytes, KeyRing]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Keys], Built]
    reason: Reason
    detail: str = ""  # a substring the refusal's detail must contain


def good_body(prefix: str) -> dict[str, Any]:
    bodies: dict[str, dict[str, Any]] = {
        "HK1": {"n": "王芳", "id": "410105199001011234", "c": "green", "vr": ["410100"], "vd": 3},
        "CP1": {"pn": "2021001", "ro": "student", "c": "green", "ci": True, "nc": b"\x01" * 16},
        "VA1": {"an": "VA-1"},
    }
    return bodies[prefix]


def good_claims(prefix: str) -> dict[int, Any]:
    return {1: "test", 4: T_NOW + 3600, 6: T_NOW - 60, -260: good_body(prefix)}


def signed(prefix: str, claims: dict[Any, Any]) -> Callable[[Keys], Built]:
    return lambda k: (sign_claims(k.ed, prefix, claims), k.ring)


def raw(text: str | bytes) -> Callable[[Keys], Built]:
    return lambda k: (text, k.ring)


def cose_text(item: Any, prefix: str = "HK1") -> str:
    return pack(prefix, cbor2.dumps(item))


def _valid(k: Keys, key: SigningKey | None = None) -> str:
    return issue_visit_slip(key or k.ed, approval_no="VA-1", iat=NOW, exp=NOW + HOUR)


def _fields(k: Keys, key: SigningKey | None = None) -> list[Any]:
    """protected, unprotected, payload, signature of a valid VA1 message."""
    return list(cbor2.loads(unpack(_valid(k, key))[1]).value)


def _with_fields(k: Keys, **changes: Any) -> str:
    names = ("protected", "unprotected", "payload", "signature")
    values = dict(zip(names, _fields(k), strict=True)) | changes
    return pack("VA1", assemble(*(values[n] for n in names)))


def _sign_with_header(k: Keys, header: dict[int, Any], unprotected: dict[int, Any]) -> str:
    payload = cbor2.dumps(good_claims("VA1"))
    protected = cbor2.dumps(header)
    signature = k.ed.sign(sig_structure(protected, payload))
    return pack("VA1", assemble(protected, unprotected, payload, signature))


def _ring_with(k: Keys, **window: Any) -> KeyRing:
    prefixes = window.pop("prefixes", ALL_PREFIXES)
    return KeyRing([k.ed.trusted_key("test", prefixes, **window)])


def _nested(depth: int) -> Any:
    item: Any = 0
    for _ in range(depth):
        item = [item]
    return item


def _truncate_triplets(k: Keys) -> Built:
    text = _valid(k)
    rest = text[4:]
    return text[:4] + rest[: len(rest) - len(rest) % 3 - 3], k.ring


def _truncate_one(k: Keys) -> Built:
    text = _valid(k)
    cut = (2, 3, 1)[len(text[4:]) % 3]  # leave a dangling character behind
    return text[:-cut], k.ring


def _es256_signature(k: Keys, transform: Callable[[bytes], bytes]) -> Built:
    protected, unprotected, payload, signature = _fields(k, k.es)
    return pack("VA1", assemble(protected, unprotected, payload, transform(signature))), k.ring


def _es256_der(k: Keys) -> Built:
    protected, unprotected, payload, _ = _fields(k, k.es)
    private = serialization.load_pem_private_key(k.es.to_pem(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    # a DER-encoded ECDSA signature instead of raw r || s
    der = private.sign(sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    return pack("VA1", assemble(protected, unprotected, payload, der)), k.ring


def _forged_same_kid(k: Keys) -> Built:
    payload = cbor2.dumps(good_claims("VA1"))
    cose = encode_sign1(payload, alg="EdDSA", kid=k.ed.kid, sign=k.other.sign)
    return pack("VA1", cose), k.ring


def _alg_mismatch(k: Keys) -> Built:
    payload = cbor2.dumps(good_claims("VA1"))
    cose = encode_sign1(payload, alg="EdDSA", kid=k.es.kid, sign=k.ed.sign)
    return pack("VA1", cose), k.ring


def _without(claims: dict[Any, Any], key: Any) -> dict[Any, Any]:
    return {k: v for k, v in claims.items() if k != key}


def _claims_with(prefix: str, **body: Any) -> dict[int, Any]:
    claims = good_claims(prefix)
    claims[-260] = good_body(prefix) | body
    return claims


def _body_without(prefix: str, key: str) -> dict[int, Any]:
    claims = good_claims(prefix)
    claims[-260] = _without(good_body(prefix), key)
    return claims


TRANSPORT = [
    Case("oversized-text", raw("HK1:" + "0" * 4100), MALFORMED, "too large"),
    Case("oversized-bytes", raw(b"HK1:" + b"0" * 4100), MALFORMED, "too large"),
    Case("empty", raw(""), UNSUPPORTED),
    Case("unknown-prefix", lambda k: ("HC1" + _valid(k)[3:], k.ring), UNSUPPORTED),
    Case("lowercase-prefix", lambda k: ("va1" + _valid(k)[3:], k.ring), UNSUPPORTED),
    Case("no-separator", lambda k: (_valid(k).replace(":", "", 1), k.ring), UNSUPPORTED),
    Case("url-code", raw("https://jkm.example.gov.cn/hc?t=8f3a"), UNSUPPORTED),
    Case("non-ascii-bytes", raw(b"\xff\xfe\x00HK1:"), UNSUPPORTED),
    Case("non-ascii-after-prefix", raw(b"HK1:\xe2\x82\xac"), UNSUPPORTED),
    Case("truncated-base45-dangling", _truncate_one, MALFORMED, "Base45"),
    Case("truncated-zlib-stream", _truncate_triplets, MALFORMED, "zlib"),
    Case("bad-alphabet", lambda k: (_valid(k)[:10] + "a" + _valid(k)[11:], k.ring), MALFORMED),
    Case("overflow-triplet", raw("HK1:GGW"), MALFORMED, "overflows"),
    Case("overflow-pair", raw("HK1:BB8V6"), MALFORMED, "overflows"),
    Case("not-zlib", raw("HK1:" + base45.encode(b"\x00" * 40)), MALFORMED, "not zlib"),
    Case(
        "zlib-bomb-1mb-zeros",
        raw("HK1:" + base45.encode(zlib.compress(b"\x00" * 1_000_000, 9))),
        MALFORMED,
        "too large",
    ),
    Case("zlib-just-over-16k", raw(pack("HK1", b"\x00" * 16_385)), MALFORMED, "too large"),
    Case(
        "zlib-trailing-bytes",
        raw("HK1:" + base45.encode(zlib.compress(b"\xa0") + b"junk")),
        MALFORMED,
        "trailing",
    ),
]

COSE = [
    Case("malformed-cbor", raw(pack("HK1", b"\xff\xff\xff")), MALFORMED),
    Case("cbor-16k-of-junk", raw(pack("HK1", b"\x00" * 16_384)), MALFORMED, "trailing"),
    Case("cbor-map-not-cose", raw(cose_text({"a": 1})), MALFORMED, "COSE_Sign1"),
    Case("cbor-text-not-cose", raw(cose_text("HK1")), MALFORMED, "COSE_Sign1"),
    Case("array-of-3", raw(cose_text([b"\xa0", {}, b""])), MALFORMED, "4 elements"),
    Case(
        "wrong-tag",
        lambda k: (cose_text(cbor2.CBORTag(98, _fields(k)), "VA1"), k.ring),
        MALFORMED,
        "tag 98",
    ),
    Case(  # a validly signed message in the self-describe tag: one credential, two byte forms
        "self-describe-tag",
        lambda k: (cose_text(cbor2.CBORTag(55799, cbor2.CBORTag(18, _fields(k))), "VA1"), k.ring),
        MALFORMED,
        "tag 55799",
    ),
    Case(
        "self-describe-tag-inside",
        lambda k: (
            cose_text(
                cbor2.CBORTag(18, [cbor2.CBORTag(55799, _fields(k)[0]), *_fields(k)[1:]]), "VA1"
            ),
            k.ring,
        ),
        MALFORMED,
        "tag 55799",
    ),
    Case(
        "trailing-bytes-after-cose",
        lambda k: (pack("VA1", unpack(_valid(k))[1] + b"\x00"), k.ring),
        MALFORMED,
        "trailing",
    ),
    Case(
        "indefinite-length-array",
        lambda k: (pack("VA1", b"\x9f" + b"".join(map(cbor2.dumps, _fields(k))) + b"\xff"), k.ring),
        MALFORMED,
    ),
    Case("deep-nesting", raw(pack("HK1", b"\x81" * 10_000)), MALFORMED),
    Case(
        "deep-nesting-unprotected",
        lambda k: (_with_fields(k, unprotected={5: _nested(100)}), k.ring),
        MALFORMED,
    ),
    Case("protected-not-bstr", lambda k: (_with_fields(k, protected={1: -8}), k.ring), MALFORMED),
    Case("protected-empty", lambda k: (_with_fields(k, protected=b""), k.ring), MALFORMED),
    Case(
        "protected-not-map",
        lambda k: (_with_fields(k, protected=cbor2.dumps([1, -8])), k.ring),
        MALFORMED,
        "not a map",
    ),
    Case("unprotected-not-map", lambda k: (_with_fields(k, unprotected=[]), k.ring), MALFORMED),
    Case("payload-detached", lambda k: (_with_fields(k, payload=None), k.ring), MALFORMED),
    Case("signature-not-bytes", lambda k: (_with_fields(k, signature="sig"), k.ring), MALFORMED),
    Case(
        "alg-only-unprotected",
        lambda k: (_sign_with_header(k, {4: k.ed.kid}, {1: -8}), k.ring),
        MALFORMED,
        "alg missing",
    ),
    Case(
        "alg-as-text",
        lambda k: (_sign_with_header(k, {1: "EdDSA", 4: k.ed.kid}, {}), k.ring),
        MALFORMED,
        "alg",
    ),
    Case(
        "alg-boolean-label",
        lambda k: (_sign_with_header(k, {True: -8, 4: k.ed.kid}, {}), k.ring),
        MALFORMED,
    ),
    Case(
        "alg-unsupported-ps256",
        lambda k: (_sign_with_header(k, {1: -37, 4: k.ed.kid}, {}), k.ring),
        BAD_SIG,
        "not supported",
    ),
    Case("kid-missing", lambda k: (_sign_with_header(k, {1: -8}, {}), k.ring), MALFORMED, "kid"),
    Case(
        "kid-as-text",
        lambda k: (_sign_with_header(k, {1: -8, 4: k.ed.kid.hex()}, {}), k.ring),
        MALFORMED,
        "kid",
    ),
]

KEYS = [
    Case("forged-signature-same-kid", _forged_same_kid, BAD_SIG, "does not verify"),
    Case("tampered-payload", lambda k: (tamper(_valid(k)), k.ring), BAD_SIG),
    Case("tampered-es256", lambda k: (tamper(_valid(k, k.es)), k.ring), BAD_SIG),
    Case("unknown-kid", lambda k: (_valid(k, k.other), k.ring), UNKNOWN_KEY, "not trusted"),
    Case("alg-mismatch", _alg_mismatch, BAD_SIG, "does not match"),
    Case("removed-key", lambda k: (_valid(k), k.ring.without(k.ed.kid)), UNKNOWN_KEY),
    Case("empty-ring", lambda k: (_valid(k), KeyRing()), UNKNOWN_KEY),
    Case(
        "key-expired",
        lambda k: (_valid(k), _ring_with(k, not_after=NOW - 24 * HOUR)),
        UNKNOWN_KEY,
        "window",
    ),
    Case(
        "key-not-yet-valid",
        lambda k: (_valid(k), _ring_with(k, not_before=NOW + 24 * HOUR)),
        UNKNOWN_KEY,
        "window",
    ),
    Case(
        "issued-before-key-window",
        lambda k: (
            issue_visit_slip(k.ed, approval_no="V", iat=NOW - 2 * HOUR, exp=NOW + HOUR),
            _ring_with(k, not_before=NOW - HOUR),
        ),
        UNKNOWN_KEY,
        "when the credential was issued",
    ),
    Case(
        "prefix-not-allowed-for-key",
        lambda k: (_valid(k), _ring_with(k, prefixes=("CP1", "HK1"))),
        UNKNOWN_KEY,
        "not trusted for VA1",
    ),
    Case(
        "relabelled-prefix",
        lambda k: ("CP1" + _valid(k)[3:], k.ring),
        MALFORMED,
        "missing",
    ),
    Case("es256-signature-63-bytes", lambda k: _es256_signature(k, lambda s: s[:-1]), BAD_SIG),
    Case("es256-signature-65-bytes", lambda k: _es256_signature(k, lambda s: s + b"\0"), BAD_SIG),
    Case("es256-signature-zero", lambda k: _es256_signature(k, lambda s: bytes(64)), BAD_SIG),
    Case("es256-signature-der", _es256_der, BAD_SIG),
    Case(
        "ed25519-signature-short",
        lambda k: (_with_fields(k, signature=b"\0" * 63), k.ring),
        BAD_SIG,
    ),
]

_CP1 = "CP1"
CLAIMS = [
    Case("payload-not-a-map", signed("VA1", [1, 4, 6]), MALFORMED, "payload"),  # type: ignore[arg-type]
    Case(
        "payload-duplicate-keys",
        lambda k: (
            pack(
                "VA1",
                encode_sign1(
                    b"\xa5"
                    + b"".join(
                        cbor2.dumps(x)
                        for x in (1, "a", 1, "b", 4, T_NOW + 60, 6, T_NOW, -260, {"an": "V"})
                    ),
                    alg="EdDSA",
                    kid=k.ed.kid,
                    sign=k.ed.sign,
                ),
            ),
            k.ring,
        ),
        MALFORMED,
    ),
    Case("payload-deep-nesting", signed("VA1", good_claims("VA1") | {99: _nested(100)}), MALFORMED),
    Case("iss-int", signed("VA1", good_claims("VA1") | {1: 5}), MALFORMED, "1 (iss)"),
    Case("iss-empty", signed("VA1", good_claims("VA1") | {1: ""}), MALFORMED, "1 (iss)"),
    Case("exp-text", signed("VA1", good_claims("VA1") | {4: "tomorrow"}), MALFORMED, "4 (exp)"),
    Case("exp-float", signed("VA1", good_claims("VA1") | {4: T_NOW + 60.5}), MALFORMED, "4 (exp)"),
    Case("exp-bool", signed("VA1", good_claims("VA1") | {4: True}), MALFORMED, "4 (exp)"),
    Case("exp-absurd", signed("VA1", good_claims("VA1") | {4: 2**70}), MALFORMED, "4 (exp)"),
    Case(
        "exp-before-iat", signed("VA1", good_claims("VA1") | {4: T_NOW - 120}), MALFORMED, "4 (exp)"
    ),
    Case("iat-null", signed("VA1", good_claims("VA1") | {6: None}), MALFORMED, "6 (iat)"),
    Case("iat-negative", signed("VA1", good_claims("VA1") | {6: -1}), MALFORMED, "6 (iat)"),
    Case(
        "iat-bignum-tag",
        signed("VA1", good_claims("VA1") | {6: cbor2.CBORTag(2, b"\x01" + bytes(40))}),
        MALFORMED,
        "6 (iat)",
    ),
    Case(
        "iat-datetime-tag",
        signed("VA1", good_claims("VA1") | {6: cbor2.CBORTag(1, T_NOW)}),
        MALFORMED,
        "6 (iat)",
    ),
    Case(
        "iat-boolean-label",
        signed("VA1", _without(good_claims("VA1"), 1) | {True: "x"}),
        MALFORMED,
        "1 (iss)",
    ),
    Case("body-list", signed("VA1", good_claims("VA1") | {-260: ["VA-1"]}), MALFORMED, "-260"),
    *(
        Case(
            f"missing-claim-{key}",
            signed("VA1", _without(good_claims("VA1"), key)),
            MALFORMED,
            f"{key} (",
        )
        for key in (1, 4, 6, -260)
    ),
    # HK1 body
    Case("hk1-name-int", signed("HK1", _claims_with("HK1", n=1)), MALFORMED, "claim n:"),
    Case("hk1-name-control", signed("HK1", _claims_with("HK1", n="王\n芳")), MALFORMED, "claim n:"),
    Case("hk1-id-bytes", signed("HK1", _claims_with("HK1", id=b"4101")), MALFORMED, "claim id:"),
    Case("hk1-color-blue", signed("HK1", _claims_with("HK1", c="blue")), MALFORMED, "claim c:"),
    Case("hk1-color-int", signed("HK1", _claims_with("HK1", c=0)), MALFORMED, "claim c:"),
    Case(
        "hk1-nat-text", signed("HK1", _claims_with("HK1", nat="negative")), MALFORMED, "claim nat:"
    ),
    Case(
        "hk1-nat-result",
        signed("HK1", _claims_with("HK1", nat={"r": "maybe", "t": T_NOW})),
        MALFORMED,
        "nat.r",
    ),
    Case(
        "hk1-nat-time",
        signed("HK1", _claims_with("HK1", nat={"r": "negative", "t": "today"})),
        MALFORMED,
        "nat.t",
    ),
    Case(
        "hk1-nat-missing-time",
        signed("HK1", _claims_with("HK1", nat={"r": "negative"})),
        MALFORMED,
        "nat.t",
    ),
    Case(
        "hk1-regions-text", signed("HK1", _claims_with("HK1", vr="410100")), MALFORMED, "claim vr:"
    ),
    Case("hk1-region-int", signed("HK1", _claims_with("HK1", vr=[410100])), MALFORMED, "vr[0]"),
    Case(
        "hk1-region-short",
        signed("HK1", _claims_with("HK1", vr=["410100", "4101"])),
        MALFORMED,
        "vr[1]",
    ),
    Case(
        "hk1-regions-too-many",
        signed("HK1", _claims_with("HK1", vr=["410100"] * 101)),
        MALFORMED,
        "claim vr:",
    ),
    Case("hk1-doses-bool", signed("HK1", _claims_with("HK1", vd=True)), MALFORMED, "claim vd:"),
    Case("hk1-doses-text", signed("HK1", _claims_with("HK1", vd="3")), MALFORMED, "claim vd:"),
    Case("hk1-doses-absurd", signed("HK1", _claims_with("HK1", vd=10**30)), MALFORMED, "claim vd:"),
    *(
        Case(
            f"hk1-missing-{key}",
            signed("HK1", _body_without("HK1", key)),
            MALFORMED,
            f"claim {key}:",
        )
        for key in ("n", "id", "c", "vr", "vd")
    ),
    # CP1 body
    Case("cp1-person-null", signed(_CP1, _claims_with(_CP1, pn=None)), MALFORMED, "claim pn:"),
    Case("cp1-role-int", signed(_CP1, _claims_with(_CP1, ro=1)), MALFORMED, "claim ro:"),
    Case("cp1-checked-in-int", signed(_CP1, _claims_with(_CP1, ci=1)), MALFORMED, "claim ci:"),
    Case(
        "cp1-nonce-short", signed(_CP1, _claims_with(_CP1, nc=b"\x01" * 8)), MALFORMED, "claim nc:"
    ),
    Case("cp1-nonce-text", signed(_CP1, _claims_with(_CP1, nc="0" * 16)), MALFORMED, "claim nc:"),
    Case(
        "cp1-color-yellowish", signed(_CP1, _claims_with(_CP1, c="Yellow")), MALFORMED, "claim c:"
    ),
    *(
        Case(
            f"cp1-missing-{key}", signed(_CP1, _body_without(_CP1, key)), MALFORMED, f"claim {key}:"
        )
        for key in ("pn", "ro", "c", "ci", "nc")
    ),
    # VA1 body
    Case("va1-approval-int", signed("VA1", _claims_with("VA1", an=5)), MALFORMED, "claim an:"),
    Case(
        "va1-approval-long", signed("VA1", _claims_with("VA1", an="V" * 65)), MALFORMED, "claim an:"
    ),
    Case("va1-missing-an", signed("VA1", _body_without("VA1", "an")), MALFORMED, "claim an:"),
]

CLOCK = [
    Case(
        "iat-beyond-skew",
        lambda k: (
            issue_health_code(
                k.ed, name="王芳", id_number="1", iat=NOW + 2 * HOUR, exp=NOW + 3 * HOUR
            ),
            k.ring,
        ),
        Reason.CREDENTIAL_NOT_YET_VALID,
    ),
    Case(
        "expired-campus-pass",
        lambda k: (
            issue_campus_pass(
                k.es,
                person_no="1",
                role="staff",
                iat=NOW - HOUR,
                exp=NOW - HOUR + dt.timedelta(seconds=60),
            ),
            k.ring,
        ),
        Reason.CREDENTIAL_EXPIRED,
    ),
]

ALL_CASES = TRANSPORT + COSE + KEYS + CLAIMS + CLOCK
