"""POST /api/v1/bookings/{code}/check-in (DESIGN §6): the kiosk or an officer's device checks a
booked person in. The same domain function serves the officer's scanner page."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field

from ..db import get_session
from ..domain.checkin import CheckInError, check_in
from ..extensions import limiter
from ..models import Slot
from . import ApiError, current_token, parse_body, route
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


NIK_MISMATCH = _l("NIK ini bukan NIK pemilik booking. Periksa lagi NIK di KK.")


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nik: str = Field(max_length=40, description="the full NIK from the KK, compared by hash")


class TicketOut(BaseModel):
    number: str
    queue: str
    position: int


class CheckInOut(BaseModel):
    booking: BookingOut
    ticket: TicketOut | None  # null until the lobby queue exists


@route("/bookings/<code>/check-in", "POST", summary="Check a booked person in (on the day)",
       roles=CHECK_IN_ROLES, scope=("office",), body=CheckInIn,
       responses={200: ("Checked in; `ticket` is null until the lobby queue exists", CheckInOut),
                  404: ("No such booking", ErrorOut),
                  409: ("not_today, or wrong_state (already checked in, cancelled, …)",
                        ErrorOut),
                  422: ("nik_mismatch, or field errors", ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
@idempotent
def check_in_booking_json(code: str):
    booking, office = _booking_in_scope(code)
    body = parse_body(CheckInIn)
    session = get_session()
    try:
        check_in(session, booking, f"token:{current_token().id}", body.nik,
                 data_key=current_app.config["DATA_KEY"])
    except CheckInError as error:
        session.rollback()
        if error.code == "nik_mismatch":
            raise ApiError(422, "nik_mismatch", NIK_MISMATCH, {"nik": NIK_MISMATCH}) from None
        raise ApiError(409, error.code, CONFLICTS[error.code]) from None
    slot = session.get(Slot, booking.slot_id)
    return answer(session, {"booking": booking_json(booking, office, slot), "ticket": None}, 200)
