"""Every hostile input is refused with its specific reason, and quickly."""

from __future__ import annotations

import time

import pytest

from kiosk.core.credentials.codec import decode_credential
from kiosk.core.credentials.keys import KeyRing, SigningKey
from kiosk.core.credentials.types import CredentialError

from .conftest import NOW
from .hostile import ALL_CASES, Case, Keys

TIME_BOUND_S = 0.050


@pytest.fixture(scope="module")
def keys(ed_key: SigningKey, es_key: SigningKey, ring: KeyRing) -> Keys:
    return Keys(ed=ed_key, es=es_key, other=SigningKey.generate("EdDSA"), ring=ring)


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in ALL_CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.id)
def test_refused_with_reason(case: Case, keys: Keys) -> None:
    text, ring = case.build(keys)
    with pytest.raises(CredentialError) as err:
        decode_credential(text, ring, NOW)
    assert err.value.reason is case.reason, err.value
    assert case.detail in err.value.detail


def test_each_case_decodes_well_under_50_ms(keys: Keys) -> None:
    slow = {}
    for case in ALL_CASES:
        text, ring = case.build(keys)
        best = float("inf")
        for _ in range(3):  # best of three: the machine is shared
            start = time.perf_counter()
            with pytest.raises(CredentialError):
                decode_credential(text, ring, NOW)
            best = min(best, time.perf_counter() - start)
        if best >= TIME_BOUND_S:
            slow[case.id] = best
    assert not slow, slow
