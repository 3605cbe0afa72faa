"""The SAM host protocol's framing, table-tested with the reference frames and real-looking
replies: good, bad checksum, split across reads, garbage between frames, cut off mid-read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard.frames import (
    CARD_FOUND,
    NO_CARD,
    OK,
    READ_FAILED,
    PacketParser,
    Reply,
    checksum,
    decode,
    encode_command,
    encode_frame,
    encode_reply,
)
from drivers.idcard.protocols import (
    FIND_CARD,
    PROTOCOLS,
    READ_TEXT_PHOTO,
    READ_TEXT_PHOTO_FP,
    SAM_RESET,
    SAM_STATUS,
    SELECT_CARD,
    answers,
    succeeded,
)
from drivers.idcard.simulator import WANG_FANG, ZHANG_WEI

H = bytes.fromhex
FOUND = H("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
NO_CARD_REPLY = H("AA AA AA 96 69 00 04 00 00 80 84")
SELECTED = H("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C")
STATUS_OK = H("AA AA AA 96 69 00 04 00 00 90 94")
READ_FAILED_REPLY = H("AA AA AA 96 69 00 04 00 00 41 45")
PHOTO = bytes(range(256)) * 4


def read_reply(text: bytes = ZHANG_WEI, protocol: str = "sam") -> bytes:
    fingerprint = bytes(512) if protocol == "sam-fp" else b""
    data = PROTOCOLS[protocol].encode_read_data(text, PHOTO, fingerprint)
    return encode_reply(OK, data)


def payloads(data: bytes, chunk: int | None = None) -> tuple[list[bytes], PacketParser]:
    parser = PacketParser()
    chunk = chunk or len(data) or 1
    out: list[bytes] = []
    for i in range(0, len(data), chunk):
        out += parser.feed(data[i : i + chunk])
    return out, parser


# ---- reference frames (checksums recomputed) ---------------------------------------------
@pytest.mark.parametrize(
    ("frame", "hex_frame"),
    [
        (SAM_RESET, "AA AA AA 96 69 00 03 10 FF EC"),
        (SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
        (FIND_CARD, "AA AA AA 96 69 00 03 20 01 22"),
        (SELECT_CARD, "AA AA AA 96 69 00 03 20 02 21"),
        (READ_TEXT_PHOTO, "AA AA AA 96 69 00 03 30 01 32"),
        (READ_TEXT_PHOTO_FP, "AA AA AA 96 69 00 03 30 10 23"),
        (encode_reply(CARD_FOUND, bytes(4)), "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"),
        (encode_reply(NO_CARD), "AA AA AA 96 69 00 04 00 00 80 84"),
        (encode_reply(OK, bytes(8)), "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"),
        (encode_reply(OK), "AA AA AA 96 69 00 04 00 00 90 94"),
        (encode_reply(READ_FAILED), "AA AA AA 96 69 00 04 00 00 41 45"),
    ],
)
def test_reference_frames(frame: bytes, hex_frame: str) -> None:
    assert frame == H(hex_frame)
    assert frame[-1] == checksum(frame[5:-1])


def test_read_reply_header_and_length() -> None:
    reply = read_reply()
    assert reply[:14] == H("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    assert len(reply) == 1295
    fp = read_reply(protocol="sam-fp")
    assert fp[:16] == H("AA AA AA 96 69 07 0A 00 00 90 01 00 04 00 02 00")
    assert len(fp) == 1295 + 2 + 512


# ---- the parser's table ------------------------------------------------------------------
GARBAGE = H("00 FF AA AA 96 55 AA 69 AA AA AA 96")
CORRUPT_FOUND = FOUND[:-1] + bytes([FOUND[-1] ^ 0x01])
CUT_READ = read_reply()[:700]

CASES = [
    # (description, bytes in, statuses of the replies out, bad frames)
    ("find: card found", FOUND, [CARD_FOUND], 0),
    ("find: no card", NO_CARD_REPLY, [NO_CARD], 0),
    ("select ok", SELECTED, [OK], 0),
    ("read failed", READ_FAILED_REPLY, [READ_FAILED], 0),
    ("full read reply", read_reply(), [OK], 0),
    ("bad checksum dropped, next frame kept", CORRUPT_FOUND + NO_CARD_REPLY, [NO_CARD], 1),
    ("garbage between frames", GARBAGE + FOUND + GARBAGE + SELECTED + GARBAGE, [CARD_FOUND, OK], 0),
    ("preamble inside a corrupt frame", CORRUPT_FOUND[:4] + FOUND, [CARD_FOUND], 0),
    ("impossible length skipped", H("AA AA AA 96 69 FF FF 00") + STATUS_OK, [OK], 0),
    (
        "card taken off mid-read: the cut reply fails its checksum, every later frame is kept",
        CUT_READ + READ_FAILED_REPLY * 60 + NO_CARD_REPLY,
        [READ_FAILED] * 60 + [NO_CARD],
        1,
    ),
]


@pytest.mark.parametrize(("what", "data", "statuses", "bad"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("chunk", [None, 1, 7, 64])
def test_parser_table(what: str, data: bytes, statuses: list[int], bad: int, chunk: int | None):
    out, parser = payloads(data, chunk)
    replies = [Reply.from_payload(p) for p in out]
    assert [r.status for r in replies if r] == statuses
    assert parser.bad_frames == bad


def test_cut_read_waits_until_cleared() -> None:
    parser = PacketParser()
    assert parser.feed(CUT_READ + READ_FAILED_REPLY) == []
    assert parser.buffered > 0  # still waiting for the rest of the read reply
    parser.clear()  # the port loop does this when the read times out
    replies = [Reply.from_payload(p) for p in parser.feed(NO_CARD_REPLY)]
    assert [r.status if r is not None else None for r in replies] == [NO_CARD]


def test_decode_is_pure_and_says_what_it_consumed() -> None:
    data = GARBAGE[:5] + FOUND
    assert decode(data).consumed == 5 and decode(data).payload is None
    step = decode(FOUND + NO_CARD_REPLY)
    assert step.consumed == len(FOUND) and step.payload == FOUND[7:-1]
    assert decode(FOUND[:9]).consumed == 0
    assert decode(H("AA AA AA")).consumed == 0  # could be the start of a preamble
    assert decode(CORRUPT_FOUND) == (1, None, True)


def test_every_byte_value_survives_in_data() -> None:
    data = bytes(range(256)) * 2
    frame = encode_command(0x30, 0x01, data)
    out, parser = payloads(frame, 3)
    assert out == [bytes([0x30, 0x01]) + data] and parser.bad_frames == 0


# ---- which reply answers which command ---------------------------------------------------
@pytest.mark.parametrize(
    ("command", "reply", "answer", "success"),
    [
        (FIND_CARD, FOUND, True, True),
        (FIND_CARD, NO_CARD_REPLY, True, False),
        (FIND_CARD, read_reply(), False, False),  # a late read reply never answers a find
        (SELECT_CARD, SELECTED, True, True),
        (SELECT_CARD, FOUND, False, False),
        (READ_TEXT_PHOTO, read_reply(), True, True),
        (READ_TEXT_PHOTO, SELECTED, False, False),  # a late select reply is not card data
        (READ_TEXT_PHOTO, READ_FAILED_REPLY, True, False),
        (SAM_STATUS, STATUS_OK, True, True),
        (SAM_STATUS, encode_reply(0x60), True, False),
    ],
)
def test_answers(command: bytes, reply: bytes, answer: bool, success: bool) -> None:
    (payload,), _ = payloads(reply)
    parsed = Reply.from_payload(payload)
    assert parsed is not None
    assert answers(command, parsed) is answer
    assert succeeded(command, parsed) is success


def test_reply_repr_never_shows_data() -> None:
    (payload,), _ = payloads(read_reply(WANG_FANG))
    text = repr(Reply.from_payload(payload))
    assert "王" not in text and "4525" not in text and "1284 data bytes" in text


# ---- properties --------------------------------------------------------------------------

REAL = [FOUND, NO_CARD_REPLY, SELECTED, STATUS_OK, READ_FAILED_REPLY, read_reply()]
junk = st.binary(max_size=40).filter(lambda b: b"\x96\x69" not in b)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(junk, st.sampled_from(REAL)), min_size=1, max_size=8),
    st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=20),
)
def test_garbage_and_any_split_never_lose_or_invent_a_frame(pieces, cuts) -> None:
    stream = b"".join(g + f for g, f in pieces)
    parser = PacketParser()
    out: list[bytes] = []
    pos, i = 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        out += parser.feed(stream[pos : pos + step])
        pos, i = pos + step, i + 1
    assert out == [f[7:-1] for _, f in pieces]


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=600))
def test_random_bytes_never_make_a_frame_without_a_good_checksum(data: bytes) -> None:
    for payload in PacketParser().feed(data):
        assert encode_frame(payload) in data  # only whole frames with a matching XOR
