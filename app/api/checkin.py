"""POST /api/v1/bookings/{code}/check-in (DESIGN §6): the kiosk or an officer's device checks a
booked person in. The same domain function serves the officer's scanner page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from ..db import get_session
from ..domain.checkin import CheckInError, check_in
from ..extensions import limiter
from ..models import Slot
from . import ApiError, current_token, route
from .booking_schemas import BookingOut
from .bookings import API_RATE, _booking_in_scope, _token_key, booking_json
from .idempotency import answer, idempotent
from .schemas import ErrorOut

CHECK_IN_ROLES = ("kiosk", "officer")
CONFLICTS = {
    "not_today": _l("Jadwal booking ini bukan hari ini. Kedatangan hanya dicatat pada hari "
                    "jadwalnya."),
    "wrong_state": _l("Booking ini tidak bisa dicatat hadir: sudah hadir, dibatalkan, atau "
                      "sudah lewat."),
}


class TicketOut(BaseModel):
    number: str
    queue: str
    position: int


class CheckInOut(BaseModel):
    booking: BookingOut
    ticket: TicketOut | None  # null until the lobby queue exists


@route("/bookings/<code>/check-in", "POST", summary="Check a booked person in (on the day)",
       roles=CHECK_IN_ROLES, scope=("office",),
       responses={200: ("Checked in; `ticket` is null until the lobby queue exists", CheckInOut),
                  404: ("No such booking", ErrorOut),
                  409: ("not_today, or wrong_state (already checked in, cancelled, …)",
                        ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
@idempotent
def check_in_booking_json(code: str):
    booking, office = _booking_in_scope(code)
    session = get_session()
    try:
        check_in(session, booking, f"token:{current_token().id}")
    except CheckInError as error:
        session.rollback()
        raise ApiError(409, error.code, CONFLICTS[error.code]) from None
    slot = session.get(Slot, booking.slot_id)
    return answer(session, {"booking": booking_json(booking, office, slot), "ticket": None}, 200)
