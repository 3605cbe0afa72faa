"""The acceptor: repetition over frames, verified credentials, hold-off (injected clock)."""

from __future__ import annotations

import numpy as np

from drivers.camera.acceptor import CodeAcceptor
from drivers.camera.result import DecodeResult


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def code(text: str) -> DecodeResult:
    return DecodeResult(raw=text.encode(), text=text, points=np.zeros((4, 2), np.float32))


def test_accepts_after_k_consecutive_frames() -> None:
    clock = Clock()
    acceptor = CodeAcceptor(repeats=3, clock=clock)
    assert acceptor.offer([code("A")]) == []
    assert acceptor.offer([code("A")]) == []
    assert [r.text for r in acceptor.offer([code("A")])] == ["A"]


def test_a_gap_restarts_the_count() -> None:
    acceptor = CodeAcceptor(repeats=2, clock=Clock())
    assert acceptor.offer([code("A")]) == []
    assert acceptor.offer([]) == []
    assert acceptor.offer([code("A")]) == []
    assert len(acceptor.offer([code("A")])) == 1


def test_holdoff_blocks_the_same_payload_until_it_expires() -> None:
    clock = Clock()
    acceptor = CodeAcceptor(repeats=2, holdoff_s=3.0, clock=clock)
    acceptor.offer([code("A")])
    assert len(acceptor.offer([code("A")])) == 1
    for _ in range(5):
        clock.now += 0.5
        assert acceptor.offer([code("A")]) == []
    clock.now += 0.6  # 3.1 s after the trigger
    assert len(acceptor.offer([code("A")])) == 1


def test_holdoff_is_per_payload() -> None:
    clock = Clock()
    acceptor = CodeAcceptor(repeats=1, holdoff_s=3.0, clock=clock)
    assert len(acceptor.offer([code("A")])) == 1
    assert [r.text for r in acceptor.offer([code("A"), code("B")])] == ["B"]


def test_verified_credential_is_accepted_on_the_first_frame() -> None:
    seen: list[bytes] = []

    def verifier(raw: bytes) -> bool:
        seen.append(raw)
        return raw.startswith(b"HK1:")

    acceptor = CodeAcceptor(repeats=2, verifier=verifier, clock=Clock())
    assert [r.text for r in acceptor.offer([code("HK1:ABC"), code("junk")])] == ["HK1:ABC"]
    assert seen == [b"HK1:ABC", b"junk"]


def test_raising_verifier_falls_back_to_repetition() -> None:
    def verifier(raw: bytes) -> bool:
        raise ValueError("bad key ring")

    acceptor = CodeAcceptor(repeats=2, verifier=verifier, clock=Clock())
    assert acceptor.offer([code("A")]) == []
    assert len(acceptor.offer([code("A")])) == 1


def test_duplicates_in_one_frame_count_once() -> None:
    acceptor = CodeAcceptor(repeats=2, clock=Clock())
    assert acceptor.offer([code("A"), code("A")]) == []
    assert len(acceptor.offer([code("A")])) == 1


def test_reset_forgets_holdoff() -> None:
    acceptor = CodeAcceptor(repeats=1, clock=Clock())
    assert len(acceptor.offer([code("A")])) == 1
    acceptor.reset()
    assert len(acceptor.offer([code("A")])) == 1
