"""The kiosk boundary of the ID card reader: a card read becomes a :class:`CardIdentity`.

The driver's :class:`~drivers.idcard.IdCard` holds the raw ID number and name; they are turned
into the keyed HMAC and the masked forms here, the moment the kiosk receives the card, and the
card object is not kept.
"""

from __future__ import annotations

from typing import Protocol

from drivers.device import DeviceListener, DeviceState
from drivers.idcard import CardError, IdCard, IdCardListener, parse_text_block
from kiosk.core.identity import CardIdentity, id_hmac, mask_id, mask_name


def card_identity(card: IdCard, *, key: bytes | None) -> CardIdentity:
    """The HMAC (when ``key`` is given) and masked forms of ``card``."""
    return CardIdentity(
        id_hmac=id_hmac(key, card.id_number) if key is not None else None,
        id_masked=mask_id(card.id_number),
        name_masked=mask_name(card.name),
        kind=card.kind.value,
        valid_to=card.valid_to,
    )


class CardGate(Protocol):
    """Where card reads go: the gate service's ``present_card`` and ``card_refused``."""

    def present_card(self, card: CardIdentity) -> None: ...

    def card_refused(self, detail: str) -> None: ...


class CardsToGate(IdCardListener):
    """Listens to the reader and hands each card to the gate as its HMAC and masked forms.

    Runs on the reader's thread; the card object is dropped once converted.
    """

    def __init__(self, gate: CardGate, key: bytes, states: DeviceListener | None = None) -> None:
        self.gate = gate
        self._key = key
        self._states = states or DeviceListener()

    def on_state(self, state: DeviceState, detail: str) -> None:
        """The reader's state goes to ``states`` (the screen's status bar)."""
        self._states.on_state(state, detail)

    def on_card(self, card: IdCard) -> None:
        """A card read: HMAC and mask at once, then give it to the gate."""
        self.gate.present_card(card_identity(card, key=self._key))

    def on_card_error(self, message: str) -> None:
        """A card that identifies nobody: the guard hears why."""
        self.gate.card_refused(message)

    def deliver(self, text_block: bytes) -> None:
        """Parse a text block as the reader does and hand the result on (scenarios, tests)."""
        try:
            card = parse_text_block(text_block)
        except CardError as exc:
            self.on_card_error(str(exc))
        else:
            self.on_card(card)
