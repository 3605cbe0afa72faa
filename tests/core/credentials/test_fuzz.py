"""Property tests: whatever is put in front of the camera, decoding only raises CredentialError."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.credentials import base45
from kiosk.core.credentials.codec import decode_credential, issue_health_code
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.credentials.transport import PREFIXES, pack
from kiosk.core.credentials.types import Credential, CredentialError

from .conftest import NOW

FAST = settings(
    max_examples=120,
    deadline=dt.timedelta(milliseconds=200),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
prefixes = st.sampled_from([*(p + ":" for p in PREFIXES), "", "HC1:", "HK1"])
cbor_items = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.binary(max_size=40),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.integers(-300, 300) | st.text(max_size=3), children, max_size=5)
        | st.builds(cbor2.CBORTag, st.sampled_from([1, 2, 18, 24, 98, 258]), children)
    ),
    max_leaves=30,
)


def only_credential_error(text: str | bytes, ring: KeyRing) -> Credential | None:
    try:
        return decode_credential(text, ring, NOW)
    except CredentialError:
        return None


@FAST
@given(prefix=prefixes, rest=st.text(max_size=300))
def test_random_text(ring: KeyRing, prefix: str, rest: str) -> None:
    assert only_credential_error(prefix + rest, ring) is None


@FAST
@given(prefix=prefixes, rest=st.binary(max_size=300))
def test_random_bytes(ring: KeyRing, prefix: str, rest: bytes) -> None:
    assert only_credential_error(prefix.encode() + rest, ring) is None


@FAST
@given(prefix=prefixes, rest=st.text(alphabet=base45.ALPHABET, max_size=300))
def test_random_base45(ring: KeyRing, prefix: str, rest: str) -> None:
    assert only_credential_error(prefix + rest, ring) is None


@FAST
@given(prefix=st.sampled_from(PREFIXES), data=st.binary(max_size=400))
def test_random_compressed_bytes(ring: KeyRing, prefix: str, data: bytes) -> None:
    assert only_credential_error(pack(prefix, data), ring) is None


@FAST
@given(prefix=st.sampled_from(PREFIXES), item=cbor_items)
def test_random_cbor(ring: KeyRing, prefix: str, item: Any) -> None:
    text = prefix + ":" + base45.encode(zlib.compress(cbor2.dumps(item)))
    assert only_credential_error(text, ring) is None


@pytest.fixture(scope="module")
def issued(ed_key: SigningKey, ring: KeyRing) -> tuple[str, Credential]:
    text = issue_health_code(
        ed_key,
        name="王芳",
        id_number="410105199001011234",
        visited_regions=["410100"],
        iat=NOW,
        exp=NOW + dt.timedelta(hours=1),
    )
    return text, decode_credential(text, ring, NOW)


@FAST
@given(position=st.integers(min_value=0), char=st.sampled_from(base45.ALPHABET))
def test_one_changed_character_never_yields_another_credential(
    ring: KeyRing, issued: tuple[str, Credential], position: int, char: str
) -> None:
    text, original = issued
    i = 4 + position % (len(text) - 4)
    mutated = text[:i] + char + text[i + 1 :]
    result = only_credential_error(mutated, ring)
    assert result is None or result == original
