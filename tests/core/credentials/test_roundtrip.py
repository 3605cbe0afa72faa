"""Issue → decode round trips for every kind and algorithm, and the accepted variants."""

from __future__ import annotations

import datetime as dt
import zlib

import cbor2
import pytest

from kiosk.core.credentials import base45, claims
from kiosk.core.credentials.codec import (
    decode_credential,
    issue_campus_pass,
    issue_health_code,
    issue_visit_slip,
    tamper,
)
from kiosk.core.credentials.cose import assemble, encode_sign1, parse_sign1
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.credentials.transport import pack, unpack
from kiosk.core.credentials.types import (
    CampusPass,
    CredentialError,
    HealthCode,
    NatResult,
    VisitSlip,
)
from kiosk.core.reasons import Reason

from .conftest import NOW

HOUR = dt.timedelta(hours=1)


def test_health_code_round_trip(key: SigningKey, ring: KeyRing) -> None:
    nat = NatResult("negative", NOW - 20 * HOUR)
    text = issue_health_code(
        key,
        name="王芳",
        id_number="41010519900101123X",
        color="yellow",
        nat=nat,
        visited_regions=("410100", "110101"),
        vaccine_doses=2,
        iat=NOW - HOUR,
        exp=NOW + 23 * HOUR,
        iss="henan-health",
    )
    assert text.startswith("HK1:")
    code = decode_credential(text, ring, NOW)
    assert isinstance(code, HealthCode)
    assert (code.name, code.id_number, code.color) == ("王芳", "41010519900101123X", "yellow")
    assert code.nat == nat
    assert code.visited_regions == ("410100", "110101")
    assert code.vaccine_doses == 2
    env = code.envelope
    assert (env.prefix, env.kid, env.alg, env.iss) == ("HK1", key.kid, key.alg, "henan-health")
    assert env.iat == NOW - HOUR and env.exp == NOW + 23 * HOUR
    assert env.iat.utcoffset() is not None


def test_health_code_without_nat_or_travel(key: SigningKey, ring: KeyRing) -> None:
    text = issue_health_code(key, name="李雷", id_number="E12345678", iat=NOW, exp=NOW + HOUR)
    code = decode_credential(text, ring, NOW)
    assert isinstance(code, HealthCode)
    assert code.nat is None and code.visited_regions == () and code.vaccine_doses == 3


def test_campus_pass_round_trip(key: SigningKey, ring: KeyRing) -> None:
    nonce = bytes(range(16))
    text = issue_campus_pass(
        key,
        person_no="2021001234",
        role="student",
        color="red",
        checked_in=False,
        iat=NOW,
        exp=NOW + dt.timedelta(seconds=60),
        nonce=nonce,
    )
    assert text.startswith("CP1:")
    card = decode_credential(text, ring, NOW)
    assert isinstance(card, CampusPass)
    assert (card.person_no, card.role, card.color, card.checked_in) == (
        "2021001234",
        "student",
        "red",
        False,
    )
    assert card.nonce == nonce
    assert card.envelope.alg == key.alg


def test_campus_pass_nonces_are_fresh(ed_key: SigningKey, ring: KeyRing) -> None:
    nonces = set()
    for _ in range(5):
        text = issue_campus_pass(
            ed_key, person_no="1", role="staff", iat=NOW, exp=NOW + dt.timedelta(seconds=60)
        )
        card = decode_credential(text, ring, NOW)
        assert isinstance(card, CampusPass) and len(card.nonce) == 16
        nonces.add(card.nonce)
    assert len(nonces) == 5


def test_visit_slip_round_trip(key: SigningKey, ring: KeyRing) -> None:
    text = issue_visit_slip(key, approval_no="VA-2022-0108-007", iat=NOW, exp=NOW + 12 * HOUR)
    slip = decode_credential(text, ring, NOW)
    assert isinstance(slip, VisitSlip)
    assert slip.approval_no == "VA-2022-0108-007"
    assert slip.envelope.prefix == "VA1"


def test_bytes_from_a_binary_qr_and_trailing_enter(ed_key: SigningKey, ring: KeyRing) -> None:
    text = issue_visit_slip(ed_key, approval_no="V1", iat=NOW, exp=NOW + HOUR)
    assert decode_credential(text.encode("ascii"), ring, NOW).envelope.prefix == "VA1"
    assert decode_credential(text + "\r\n", ring, NOW).envelope.prefix == "VA1"


def test_text_is_qr_alphanumeric(ed_key: SigningKey) -> None:
    text = issue_health_code(ed_key, name="王芳", id_number="1", iat=NOW, exp=NOW + HOUR)
    assert set(text) <= set(base45.ALPHABET)


def _resign(key: SigningKey, text: str, *, kid_in_protected: bool, tagged: bool) -> str:
    prefix, cose = unpack(text)
    payload = parse_sign1(cose).payload
    message = encode_sign1(
        payload,
        alg=key.alg,
        kid=key.kid,
        sign=key.sign,
        kid_in_protected=kid_in_protected,
        tagged=tagged,
    )
    return pack(prefix, message)


@pytest.mark.parametrize(("kid_in_protected", "tagged"), [(False, True), (True, False)])
def test_kid_in_unprotected_header_and_untagged_array(
    key: SigningKey, ring: KeyRing, kid_in_protected: bool, tagged: bool
) -> None:
    text = issue_visit_slip(key, approval_no="V1", iat=NOW, exp=NOW + HOUR)
    variant = _resign(key, text, kid_in_protected=kid_in_protected, tagged=tagged)
    assert variant != text
    assert decode_credential(variant, ring, NOW).envelope.kid == key.kid


def test_protected_kid_wins_over_unprotected(ed_key: SigningKey, ring: KeyRing) -> None:
    text = issue_visit_slip(ed_key, approval_no="V1", iat=NOW, exp=NOW + HOUR)
    prefix, cose = unpack(text)
    tag = cbor2.loads(cose)
    protected, _, payload, signature = tag.value
    variant = pack(prefix, assemble(protected, {4: b"\x00" * 8}, payload, signature))
    assert decode_credential(variant, ring, NOW).envelope.kid == ed_key.kid


def test_tamper_flips_one_payload_byte(key: SigningKey, ring: KeyRing) -> None:
    text = issue_campus_pass(key, person_no="7", role="staff", iat=NOW, exp=NOW + HOUR)
    forged = tamper(text)
    original, altered = (parse_sign1(unpack(t)[1]) for t in (text, forged))
    assert original.signature == altered.signature
    diff = [
        i for i, (a, b) in enumerate(zip(original.payload, altered.payload, strict=True)) if a != b
    ]
    assert len(diff) == 1
    with pytest.raises(CredentialError) as err:
        decode_credential(forged, ring, NOW)
    assert err.value.reason is Reason.CREDENTIAL_INVALID_SIGNATURE


@pytest.mark.parametrize(
    ("offset_s", "reason"),
    [
        (-299, None),
        (-300, None),
        (-301, Reason.CREDENTIAL_EXPIRED),
    ],
)
def test_expiry_skew_boundary(
    ed_key: SigningKey, ring: KeyRing, offset_s: int, reason: Reason | None
) -> None:
    exp = NOW + dt.timedelta(seconds=offset_s)
    text = issue_visit_slip(ed_key, approval_no="V1", iat=exp - HOUR, exp=exp)
    if reason is None:
        assert decode_credential(text, ring, NOW, skew_s=300).envelope.exp == exp
    else:
        with pytest.raises(CredentialError) as err:
            decode_credential(text, ring, NOW, skew_s=300)
        assert err.value.reason is reason


@pytest.mark.parametrize(
    ("offset_s", "reason"),
    [(299, None), (300, None), (301, Reason.CREDENTIAL_NOT_YET_VALID)],
)
def test_issued_at_skew_boundary(
    ed_key: SigningKey, ring: KeyRing, offset_s: int, reason: Reason | None
) -> None:
    iat = NOW + dt.timedelta(seconds=offset_s)
    text = issue_visit_slip(ed_key, approval_no="V1", iat=iat, exp=iat + HOUR)
    if reason is None:
        assert decode_credential(text, ring, NOW).envelope.iat == iat
    else:
        with pytest.raises(CredentialError) as err:
            decode_credential(text, ring, NOW)
        assert err.value.reason is reason


def test_skew_is_configurable(ed_key: SigningKey, ring: KeyRing) -> None:
    exp = NOW - dt.timedelta(seconds=30)
    text = issue_visit_slip(ed_key, approval_no="V1", iat=exp - HOUR, exp=exp)
    assert decode_credential(text, ring, NOW, skew_s=60).envelope.exp == exp
    with pytest.raises(CredentialError) as err:
        decode_credential(text, ring, NOW, skew_s=0)
    assert err.value.reason is Reason.CREDENTIAL_EXPIRED


def test_naive_clock_is_a_programming_error(ed_key: SigningKey, ring: KeyRing) -> None:
    text = issue_visit_slip(ed_key, approval_no="V1", iat=NOW, exp=NOW + HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        decode_credential(text, ring, NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"color": "blue"},
        {"visited_regions": ["4101"]},
        {"vaccine_doses": -1},
        {"name": ""},
        {"id_number": "41 01"},
    ],
)
def test_issue_refuses_what_a_kiosk_would_refuse(ed_key: SigningKey, kwargs: dict) -> None:
    base = {"name": "王芳", "id_number": "410105199001011234", "iat": NOW, "exp": NOW + HOUR}
    with pytest.raises(ValueError, match="claim"):
        issue_health_code(ed_key, **{**base, **kwargs})


def test_issue_refuses_naive_times(ed_key: SigningKey) -> None:
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        issue_visit_slip(ed_key, approval_no="V1", iat=naive, exp=naive + HOUR)


def test_payload_uses_documented_keys(ed_key: SigningKey) -> None:
    text = issue_campus_pass(
        ed_key, person_no="9", role="staff", iat=NOW, exp=NOW + HOUR, nonce=b"n" * 16
    )
    payload = cbor2.loads(parse_sign1(zlib.decompress(base45.decode(text[4:]))).payload)
    assert set(payload) == {1, 4, 6, -260}
    assert payload[6] == int(NOW.timestamp()) and payload[4] == int((NOW + HOUR).timestamp())
    body = payload[-260]
    assert body == {
        claims.PERSON_NO: "9",
        claims.ROLE: "staff",
        claims.COLOR: "green",
        claims.CHECKED_IN: True,
        claims.NONCE: b"n" * 16,
    }
    assert set(body) == {"pn", "ro", "c", "ci", "nc"}
