"""The kiosk boundary of the ID card reader: HMAC and masked forms only."""

from __future__ import annotations

import dataclasses
import datetime as dt

from drivers.idcard import parse_text_block
from drivers.idcard.simulator import LI_NA_EXPIRED, WANG_FANG, ZHAO_LEI_LONG_TERM
from kiosk.core.identity import id_hmac, mask_id
from kiosk.idcard import card_identity

KEY = b"k" * 32


def test_card_becomes_hmac_and_masked_forms() -> None:
    ident = card_identity(parse_text_block(WANG_FANG), key=KEY)
    assert ident.id_hmac == id_hmac(KEY, "410102199207204525")
    assert ident.id_masked == mask_id("410102199207204525") and ident.name_masked == "王*"
    assert ident.kind == "resident" and not ident.expired_on(dt.date(2026, 12, 1))
    values = [str(v) for v in dataclasses.asdict(ident).values()]
    assert not any("410102199207204525" in v or "王芳" in v for v in values)


def test_expiry_is_judged_on_the_day_of_reading() -> None:
    card = card_identity(parse_text_block(LI_NA_EXPIRED), key=KEY)
    assert not card.expired_on(dt.date(2021, 11, 2)) and card.expired_on(dt.date(2021, 11, 3))
    long_term = card_identity(parse_text_block(ZHAO_LEI_LONG_TERM), key=None)
    assert long_term.valid_to is None and long_term.id_hmac is None
    assert not long_term.expired_on(dt.date(2099, 1, 1))
