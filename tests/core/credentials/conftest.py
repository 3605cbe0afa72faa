"""Keys, a key ring and a fixed clock shared by the credential tests."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.credentials.keys import KeyRing, SigningKey

NOW = dt.datetime(2022, 1, 8, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ALL_PREFIXES = ("HK1", "CP1", "VA1")


@pytest.fixture(scope="session")
def ed_key() -> SigningKey:
    return SigningKey.generate("EdDSA")


@pytest.fixture(scope="session")
def es_key() -> SigningKey:
    return SigningKey.generate("ES256")


@pytest.fixture(scope="session", params=["EdDSA", "ES256"])
def key(request: pytest.FixtureRequest, ed_key: SigningKey, es_key: SigningKey) -> SigningKey:
    return ed_key if request.param == "EdDSA" else es_key


@pytest.fixture(scope="session")
def ring(ed_key: SigningKey, es_key: SigningKey) -> KeyRing:
    return KeyRing(
        [ed_key.trusted_key("test", ALL_PREFIXES), es_key.trusted_key("test", ALL_PREFIXES)]
    )
