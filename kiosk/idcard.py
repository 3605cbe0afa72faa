"""The kiosk boundary of the ID card reader: a card read becomes a :class:`CardIdentity`.

The driver's :class:`~drivers.idcard.IdCard` holds the raw ID number and name; they are turned
into the keyed HMAC and the masked forms here, the moment the kiosk receives the card, and the
card object is not kept.
"""

from __future__ import annotations

import datetime as dt

from drivers.idcard import IdCard
from kiosk.core.identity import CardIdentity, id_hmac, mask_id, mask_name


def card_identity(card: IdCard, *, key: bytes | None, today: dt.date) -> CardIdentity:
    """The HMAC (when ``key`` is given) and masked forms of ``card``, read on ``today``."""
    return CardIdentity(
        id_hmac=id_hmac(key, card.id_number) if key is not None else None,
        id_masked=mask_id(card.id_number),
        name_masked=mask_name(card.name),
        kind=card.kind.value,
        valid_to=card.valid_to,
        expired=card.expired_on(today),
    )
