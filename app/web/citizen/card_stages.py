"""Where the card is, for the manage page (issue 13): recorded → waiting for the central
verification → printed, ready at the pickup place → collected; a counter visit the same from
`served`; a record the central system refused says what to do and where."""

from __future__ import annotations

from ...db import get_session
from ...domain import card, receipts
from ...domain.office_settings import card_pickup
from ...models import Booking, Office

# The stages in order; each booking is at one of them (or none, before recording).
STAGES = ("recorded", "verifying", "card_ready", "collected")
AFTER_DESK = ("recorded", "served", "card_ready", "collected", "central_rejected")


def card_stages(booking: Booking, office: Office) -> dict:
    """Context for templates/citizen/booking/_card_stages.html; empty before the desk."""
    if booking.status not in AFTER_DESK:
        return {"card_stage": None}
    at = {"recorded": "verifying", "served": "verifying"}.get(booking.status, booking.status)
    kind = card.receipt_kind_for(booking)
    receipt = receipts.latest_receipt(get_session(), booking.id, kind)
    return {"card_stage": at, "card_stages": STAGES, "pickup": card_pickup(office),
            "card_receipt_kind": kind,
            "card_receipt_path": (f"/v/{receipt.token}/document"
                                  if receipt is not None and receipt.token else None)}
