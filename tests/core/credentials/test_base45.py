from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.credentials import base45

RFC_9285_VECTORS = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
]


@pytest.mark.parametrize(("raw", "text"), RFC_9285_VECTORS)
def test_rfc_9285_vectors(raw: bytes, text: str) -> None:
    assert base45.encode(raw) == text
    assert base45.decode(text) == raw


def test_extremes_of_each_group_size() -> None:
    assert base45.encode(b"\xff\xff") == "FGW"
    assert base45.encode(b"\xff") == "U5"
    assert base45.decode("FGW") == b"\xff\xff"
    assert base45.decode("U5") == b"\xff"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("GGW", "overflows two bytes"),  # 65536
        ("ZZZ", "overflows two bytes"),
        ("BB8V6", "overflows one byte"),  # final pair 256
        ("BB8A", "dangling"),
        ("A", "dangling"),
        ("bb8", "not in the Base45 alphabet"),
        ("BB#", "not in the Base45 alphabet"),
        ("BB\u00e9", "not in the Base45 alphabet"),
    ],
)
def test_strict_decoding_refuses(text: str, problem: str) -> None:
    with pytest.raises(base45.Base45Error, match=problem):
        base45.decode(text)


@settings(max_examples=200, database=None)
@given(st.binary(max_size=64))
def test_round_trip(data: bytes) -> None:
    text = base45.encode(data)
    assert set(text) <= set(base45.ALPHABET)
    assert base45.decode(text) == data
