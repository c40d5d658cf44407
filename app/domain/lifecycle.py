"""Which steps a booking may take next (DESIGN §3 states), for every face: the officer's page
shows these as its buttons, and a refused step answers with them (API 409 `wrong_state`).

One conditional UPDATE per step (`advance`): two officers pressing the same button, or an
officer and a capture station, move the booking once; the other is told what it may do now.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Booking
from .services import SERVICES

# Steps by name: what the officer (or a station, the job) does to a booking.
CHECK_IN, NO_SHOW, UNDO_NO_SHOW = "check_in", "no_show", "undo_no_show"
IN_CAPTURE, RECORDED = "in_capture", "recorded"
SERVED, TO_RECORDING = "served", "to_recording"
CARD_READY, SUKET, COLLECTED, CENTRAL_REJECTED = "card_ready", "suket", "collected", \
    "central_rejected"


class StepError(Exception):
    """A step the booking's state does not allow. `code`: wrong_state (with `allowed`, the
    steps it does allow now) or a step's own refusal (e.g. nik_mismatch, receipt_invalid)."""

    def __init__(self, code: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(code)
        self.code, self.allowed = code, allowed


def records_here(booking: Booking) -> bool:
    """Whether the visit records biometrics at a station: a first recording, or a counter visit
    the officer turned into one (the central record lacks biometrics)."""
    return SERVICES[booking.service].pool == "station" or booking.needs_recording


def next_steps(booking: Booking) -> tuple[str, ...]:
    status = booking.status
    if status == "booked":
        return (CHECK_IN, NO_SHOW)
    if status == "checked_in":
        return (IN_CAPTURE, RECORDED) if records_here(booking) else (SERVED, TO_RECORDING)
    if status == "in_capture":
        return (RECORDED,)
    if status == "no_show":
        return (UNDO_NO_SHOW, RECORDED) if records_here(booking) else (UNDO_NO_SHOW,)
    if status in ("recorded", "served"):
        # A Suket is only for a card that cannot be printed yet: once is enough.
        suket = () if booking.suket_on else (SUKET,)
        return (CARD_READY, *suket, CENTRAL_REJECTED)
    if status == "card_ready":
        return (COLLECTED,)
    return ()


def refuse(session: Session, booking: Booking, step: str) -> StepError:
    """The refusal for a step the booking (as it is now in the database) does not allow."""
    session.refresh(booking)
    return StepError("wrong_state", next_steps(booking))


def advance(session: Session, booking: Booking, step: str, from_statuses: tuple[str, ...],
            now: datetime, **values) -> None:
    """One conditional UPDATE from one of `from_statuses`; raises StepError when the booking
    was not (or no longer) in one of them."""
    result = session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(from_statuses))
        .values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise refuse(session, booking, step)
    session.refresh(booking)
