"""The card's text block: resident cards, expired and long-term cards, the residence permit
of Hong Kong/Macao/Taiwan residents, the foreigner's card refused, malformed blocks."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard.card import (
    CARD_TYPE_OFFSET,
    LONG_TERM,
    CardDataError,
    CardError,
    CardKind,
    UnsupportedCard,
    encode_foreigner_block,
    encode_text_block,
    id_check_char,
    id_number_valid,
    parse_text_block,
)
from drivers.idcard.protocols import PROTOCOLS
from drivers.idcard.simulator import (
    CHAN_HMT,
    FOREIGNER,
    LI_NA_EXPIRED,
    WANG_FANG,
    ZHANG_WEI,
    ZHAO_LEI_LONG_TERM,
)


def block(**fields: str) -> bytes:
    values = {"name": "王芳", "id_number": "410102199207204525", "sex": "2",
              "valid_from": "20200601", "valid_to": "20400601"}
    values.update(fields)
    return encode_text_block(**values)


def test_resident_card_fields() -> None:
    card = parse_text_block(WANG_FANG)
    assert card.name == "王芳" and card.id_number == "410102199207204525"
    assert card.sex == "female" and card.birth_date == dt.date(1992, 7, 20)
    assert card.valid_from == dt.date(2020, 6, 1) and card.valid_to == dt.date(2040, 6, 1)
    assert card.kind is CardKind.RESIDENT
    assert not card.expired_on(dt.date(2040, 6, 1)) and card.expired_on(dt.date(2040, 6, 2))


def test_block_layout_offsets() -> None:
    raw = WANG_FANG
    assert raw[0:4] == "王芳".encode("utf-16-le") and raw[4:6] == b" \x00"
    assert raw[30:32] == b"2\x00" and raw[32:36] == "01".encode("utf-16-le")
    assert raw[36:52] == "19920720".encode("utf-16-le")
    assert raw[122:158] == "410102199207204525".encode("utf-16-le")
    assert raw[204:220] == "20400601".encode("utf-16-le")
    assert raw[CARD_TYPE_OFFSET : CARD_TYPE_OFFSET + 2] == b" \x00"


def test_expired_and_long_term_cards() -> None:
    expired = parse_text_block(LI_NA_EXPIRED)
    assert expired.valid_to == dt.date(2021, 11, 2) and expired.expired_on(dt.date(2022, 1, 8))
    long_term = parse_text_block(ZHAO_LEI_LONG_TERM)
    assert long_term.valid_to is None and not long_term.expired_on(dt.date(2099, 1, 1))
    assert ZHAO_LEI_LONG_TERM[204:208] == LONG_TERM.encode("utf-16-le")


def test_hong_kong_macao_taiwan_residence_permit_is_read() -> None:
    card = parse_text_block(CHAN_HMT)
    assert card.kind is CardKind.HMT_RESIDENCE_PERMIT and card.id_number.startswith("81")


@pytest.mark.parametrize("type_char", ["I", "Y"])
def test_foreigners_permanent_residence_card_is_unsupported(type_char: str) -> None:
    raw = FOREIGNER if type_char == "I" else encode_foreigner_block(
        english_name="DOE, JANE", number="GBR310098765432", nationality="GBR",
        valid_to="20330101", type_char="Y")
    with pytest.raises(UnsupportedCard, match="foreigner's permanent residence card") as info:
        parse_text_block(raw)
    assert "enter the visitor by hand" in str(info.value)


def test_unknown_card_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedCard, match="unknown card type 'Q'"):
        parse_text_block(block(card_type="Q"))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (block(id_number="410102199207204526"), "check character is wrong"),
        (block(id_number="41010219920720452"), "malformed"),
        (block(id_number="4101021992072045２5"), "malformed"),  # a full-width digit
        (block(name=""), "name field is empty"),
        (block(sex="5"), "unknown sex code '5'"),
        (block(valid_from="2020061"), "start of validity '2020061' is not a date"),
        (block(valid_to="20400231"), "not a valid date"),
        (block(valid_to="20190101"), "ends before it starts"),
        (WANG_FANG[:200], "text block of 200 bytes"),
        (WANG_FANG[:0] + b"\x00\xd8" + WANG_FANG[2:], "name field is not valid UCS-2"),
    ],
)
def test_malformed_blocks_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(CardDataError, match=message):
        parse_text_block(raw)


def test_id_number_must_agree_with_the_birth_date() -> None:
    raw = bytearray(WANG_FANG)
    raw[36:52] = "19920721".encode("utf-16-le")
    with pytest.raises(CardDataError, match="does not match the birth date"):
        parse_text_block(bytes(raw))


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("41010519880315231", "6"), ("44052418800101001", "4")],
)
def test_id_check_character(first17: str, check: str) -> None:
    assert id_check_char(first17) == check
    assert id_number_valid(first17 + check)


def test_card_never_shows_or_serialises_its_raw_identity() -> None:
    card = parse_text_block(ZHANG_WEI)
    for text in (repr(card), str(card), f"{card}"):
        assert "张" not in text and "410105198803152316" not in text and "2316" in text
    with pytest.raises(TypeError, match="never serialised"):
        pickle.dumps(card)
    assert not hasattr(card, "__dict__")  # no stray attributes (e.g. the photo) can be kept


@pytest.mark.parametrize("protocol", ["sam", "sam-fp"])
def test_read_reply_data_yields_the_text_block(protocol: str) -> None:
    proto = PROTOCOLS[protocol]
    data = proto.encode_read_data(WANG_FANG, bytes(1024), bytes(1024))
    assert proto.text_block(data) == WANG_FANG
    with pytest.raises(CardDataError, match="do not add up"):
        proto.text_block(data[:-1])
    short_text = proto.encode_read_data(WANG_FANG[:128], bytes(1024), bytes(1024))
    with pytest.raises(CardDataError, match="text block of 128 bytes"):
        proto.text_block(short_text)



@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_random_text_blocks_are_refused_cleanly(block: bytes) -> None:
    try:
        card = parse_text_block(block)
    except CardError:
        return
    assert id_number_valid(card.id_number)  # anything accepted is a well-formed identity


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=255), st.integers(min_value=0, max_value=255))
def test_a_flipped_byte_in_the_id_number_never_yields_another_valid_person(pos: int, bit: int):
    raw = bytearray(WANG_FANG)
    offset = 122 + pos % 36
    raw[offset] ^= (bit % 255) + 1
    try:
        card = parse_text_block(bytes(raw))
    except CardError:
        return
    assert card.id_number == "410102199207204525"  # never somebody else's number
