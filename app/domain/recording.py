"""Recording by hand, when no capture station reports it (issue 13), and what an officer decides
about a visit's pool. The capture module (issue 16) calls the same functions: `start_capture`
here, and `app.domain.receipts.mark_recorded` — the one function that makes a booking
`recorded` — for the end.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from ..models import Booking, Receipt, utcnow
from . import audit, receipts
from .lifecycle import IN_CAPTURE, RECORDED, TO_RECORDING, StepError, advance, next_steps


def start_capture(session: Session, booking: Booking, actor: str,
                  now: datetime | None = None) -> Booking:
    """`checked_in` → `in_capture`: a station (or the officer by hand) started the recording.
    Only a visit that records here: a counter visit is served, unless turned into a recording."""
    now = now or utcnow()
    session.refresh(booking)
    if booking.status == "in_capture":  # a station repeats the call when its answer was lost
        return booking
    if IN_CAPTURE not in next_steps(booking):
        raise StepError("wrong_state", next_steps(booking))
    advance(session, booking, IN_CAPTURE, ("checked_in",), now,
            status="in_capture", in_capture_at=now)
    audit.record(session, actor, "booking.in_capture", f"booking:{booking.code}")
    return booking


def finish_capture(session: Session, booking: Booking, actor: str, *, data_key: str,
                   now: datetime | None = None, by_hand: bool = False) -> Receipt:
    """→ `recorded` through `receipts.mark_recorded` (a late no-show too), refused with the
    allowed steps when the booking cannot be recorded now."""
    session.refresh(booking)
    if RECORDED not in next_steps(booking):
        raise StepError("wrong_state", next_steps(booking))
    try:
        return receipts.mark_recorded(session, booking, actor, data_key=data_key, now=now,
                                      late=True, detail="by hand" if by_hand else "")
    except receipts.ReceiptError:  # someone else was quicker
        raise StepError("wrong_state", next_steps(booking)) from None


def turn_into_recording(session: Session, booking: Booking, actor: str,
                        now: datetime | None = None) -> Booking:
    """A counter visit whose central record lacks biometrics is recorded after all: it goes to
    the station pool (DESIGN §3) and then follows a recording's steps."""
    now = now or utcnow()
    session.refresh(booking)
    if TO_RECORDING not in next_steps(booking):
        raise StepError("wrong_state", next_steps(booking))
    advance(session, booking, TO_RECORDING, ("checked_in",), now, needs_recording=True)
    audit.record(session, actor, "booking.to_recording", f"booking:{booking.code}")
    return booking
