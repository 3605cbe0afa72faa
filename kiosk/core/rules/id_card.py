"""ID cards read at the gate: the card must be current and belong to the transaction's holder.

A card is identity like a typed ID number (its keyed HMAC finds the person or the approval);
unlike a typed number it carries a validity, and it is read from whoever stands at the reader.
So an expired card is refused (``ID_CARD_EXPIRED``), and a card whose HMAC differs from the
health code's holder, a typed ID number, the member named by a campus pass or person number,
or another card of the same transaction is refused as ``ID_CARD_HOLDER_MISMATCH`` — never
taken as the next person. (A card against a visit approval of someone else is the approval
rule's ``APPROVAL_HOLDER_MISMATCH``.)
"""

from __future__ import annotations

from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.reasons import Reason
from kiosk.core.rules.findings import Findings
from kiosk.core.rules.subject import Resolved


def check_cards(ev: Evidence, who: Resolved, ctx: GateContext, f: Findings) -> None:
    """Refuse expired cards and cards of someone other than the transaction's holder."""
    if not ev.id_cards:
        return
    if any(card.expired_on(ctx.today) for card in ev.id_cards):
        f.reject(Reason.ID_CARD_EXPIRED)
    holders = {ev.health_code_id_hmac, ev.manual_id_hmac}
    if who.person is not None and (ev.campus_pass is not None or ev.manual_person_no):
        holders.add(who.person.id_hmac)
    holders |= {card.id_hmac for card in ev.id_cards}
    holders.discard(None)
    if len(holders) > 1:
        f.reject(Reason.ID_CARD_HOLDER_MISMATCH)
