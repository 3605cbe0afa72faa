"""Key ids, PEM round trips, trust-list JSON and key-ring rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from kiosk.core.credentials.codec import decode_credential, issue_visit_slip
from kiosk.core.credentials.keys import (
    KeyRing,
    SigningKey,
    TrustedKey,
    TrustListError,
    kid_for,
    load_trust_list,
    parse_trust_list,
    trust_list_to_json,
)
from kiosk.core.credentials.types import CredentialError
from kiosk.core.reasons import Reason
from kiosk.core.registry import TrustKey

from .conftest import NOW

HOUR = dt.timedelta(hours=1)


def test_kid_is_sha256_prefix_of_spki_der(key: SigningKey) -> None:
    der = key.public_der()
    public = serialization.load_der_public_key(der)
    assert der.startswith(b"\x30")  # a DER SEQUENCE
    assert key.kid == hashlib.sha256(der).digest()[:8]
    assert kid_for(public) == key.kid == kid_for(der)  # type: ignore[arg-type]


def test_pem_round_trip_keeps_kid_and_signs_alike(key: SigningKey) -> None:
    pem = key.to_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    again = SigningKey.from_pem(pem.decode())
    assert (again.kid, again.alg, again.public_der()) == (key.kid, key.alg, key.public_der())
    trusted = key.trusted_key("t", ["VA1"])
    assert trusted.verify(again.sign(b"data"), b"data")
    assert not trusted.verify(again.sign(b"data"), b"other")


def test_es256_signatures_are_raw_64_bytes(es_key: SigningKey) -> None:
    assert {len(es_key.sign(bytes([i]))) for i in range(20)} == {64}


def test_unsupported_key_types_are_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    p384 = ec.generate_private_key(ec.SECP384R1())
    pem = p384.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="P-256"):
        SigningKey.from_pem(pem)
    with pytest.raises(ValueError, match="unknown algorithm"):
        SigningKey.generate("RS256")  # type: ignore[arg-type]


def test_trust_list_round_trip(tmp_path: Path, ed_key: SigningKey, es_key: SigningKey) -> None:
    keys = [
        ed_key.trusted_key("campus", ["CP1", "VA1"], not_before=NOW - HOUR, not_after=NOW + HOUR),
        es_key.trusted_key("henan-health", ["HK1"]),
    ]
    path = tmp_path / "trust.json"
    path.write_text(trust_list_to_json(keys))
    data = json.loads(path.read_text())
    assert data[0]["kid"] == ed_key.kid.hex()
    assert data[0]["not_before"] == (NOW - HOUR).isoformat()
    assert data[1]["not_after"] is None and data[1]["prefixes"] == ["HK1"]
    assert list(load_trust_list(path)) == keys


def _entry(key: SigningKey, **changes: object) -> list[dict[str, object]]:
    return [key.trusted_key("t", ["HK1"]).to_json() | changes]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"kid": "zz"}, "kid"),
        ({"kid": "00" * 8}, "kid is not"),
        ({"public_key": "not base64!"}, "public_key"),
        ({"public_key": "AAAA"}, "public key"),
        ({"alg": "RS256"}, "algorithm"),
        ({"alg": "ES256"}, "P-256"),
        ({"prefixes": "HK1"}, "prefixes"),
        ({"prefixes": [1]}, "prefixes"),
        ({"issuer": None}, "issuer"),
        ({"not_after": "2022-01-08T09:00:00"}, "not_after"),
        ({"not_before": "yesterday"}, "not_before"),
    ],
)
def test_trust_list_errors_name_entry_and_field(
    ed_key: SigningKey, changes: dict[str, object], problem: str
) -> None:
    text = json.dumps([*_entry(ed_key), *_entry(ed_key, **changes)])
    with pytest.raises(TrustListError, match="entry 1") as err:
        parse_trust_list(text)
    assert problem in str(err.value)


@pytest.mark.parametrize("text", ["", "{}", "[1]", '{"keys": []}'])
def test_trust_list_must_be_an_array_of_objects(text: str) -> None:
    with pytest.raises(TrustListError):
        parse_trust_list(text)


def test_load_trust_list_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[")
    with pytest.raises(TrustListError, match="bad.json"):
        load_trust_list(path)


def test_registry_record_converts(ed_key: SigningKey) -> None:
    record = TrustKey(
        kid=ed_key.kid,
        alg="EdDSA",
        public_key=ed_key.public_der(),
        issuer="campus",
        not_before=NOW - HOUR,
        prefixes=("VA1",),
    )
    trusted = TrustedKey.from_record(record)
    assert trusted == ed_key.trusted_key("campus", ["VA1"], not_before=NOW - HOUR)


def test_empty_prefixes_mean_any_prefix(ed_key: SigningKey) -> None:
    ring = KeyRing([ed_key.trusted_key("t", [])])
    text = issue_visit_slip(ed_key, approval_no="V1", iat=NOW, exp=NOW + HOUR)
    assert decode_credential(text, ring, NOW).envelope.prefix == "VA1"


def test_ring_holds_several_keys_per_kid_and_dedups(ed_key: SigningKey, es_key: SigningKey) -> None:
    a = ed_key.trusted_key("t", ["HK1"])
    b = ed_key.trusted_key("t", ["VA1"])
    ring = KeyRing([a, b, a, es_key.trusted_key("t", ["HK1"])])
    assert len(ring) == 3 and ring.get(ed_key.kid) == (a, b)
    assert ed_key.kid in ring
    smaller = ring.without(ed_key.kid)
    assert ed_key.kid not in smaller and len(smaller) == 1 and len(ring) == 3
    text = issue_visit_slip(ed_key, approval_no="V1", iat=NOW, exp=NOW + HOUR)
    assert decode_credential(text, ring, NOW).envelope.kid == ed_key.kid  # through entry b


def test_window_bounds_are_inclusive(ed_key: SigningKey) -> None:
    key = ed_key.trusted_key("t", ["VA1"], not_before=NOW, not_after=NOW + HOUR)
    assert key.valid_at(NOW) and key.valid_at(NOW + HOUR)
    assert not key.valid_at(NOW - dt.timedelta(seconds=1))
    assert not key.valid_at(NOW + HOUR + dt.timedelta(seconds=1))


def test_key_removed_by_sync_stops_verifying(ed_key: SigningKey, ring: KeyRing) -> None:
    text = issue_visit_slip(ed_key, approval_no="V1", iat=NOW, exp=NOW + HOUR)
    assert decode_credential(text, ring, NOW).envelope.kid == ed_key.kid
    synced = parse_trust_list(trust_list_to_json(k for k in ring if k.kid != ed_key.kid))
    with pytest.raises(CredentialError) as err:
        decode_credential(text, synced, NOW)
    assert err.value.reason is Reason.CREDENTIAL_UNKNOWN_KEY


def test_naive_window_times_are_refused(ed_key: SigningKey) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ed_key.trusted_key("t", ["HK1"], not_after=dt.datetime(2030, 1, 1))
