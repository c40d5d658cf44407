"""The lobby over the API (DESIGN §6): check-in with the full NIK → ticket, walk-ins, the queue
and `queue/next`. The kiosk's and the officer's pages call the same domain functions."""

from __future__ import annotations

from flask import current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field

from .. import messages
from ..db import get_session
from ..domain import booking as bookings
from ..domain import lobby, queue
from ..domain.checkin import CheckInError, check_in
from ..domain.offices import get_office
from ..extensions import limiter
from ..models import Booking, Office, Slot, Ticket, utcnow
from . import ApiError, current_token, parse_body, require_office, route
from .booking_schemas import BookingOut
from .bookings import (
    API_RATE,
    CHANNEL_BY_ROLE,
    NOT_FOUND_OFFICE,
    _applicant,
    _booking_in_scope,
    _conflict,
    _iso,
    _token_key,
    booking_json,
)
from .idempotency import answer, idempotent
from .schemas import ErrorOut

CHECK_IN_ROLES = ("kiosk", "officer")
CONFLICTS = {code: messages.CHECK_IN_REFUSALS[code]
             for code in ("not_today", "already_checked_in", "wrong_state")}


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nik: str = Field(max_length=40, description="the full NIK from the KK; compared by keyed "
                                                "hash, never kept")


class TicketOut(BaseModel):
    id: str
    number: str
    queue: str
    position: int | None
    status_url: str


class CheckInOut(BaseModel):
    booking: BookingOut
    ticket: TicketOut


class WalkInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nik: str = Field(max_length=40)
    name: str = Field(max_length=200)
    service: str = Field(max_length=20)
    desa_code: str | None = Field(default=None, max_length=10)
    needs: list[str] | None = Field(default=None, max_length=10)
    phone: str | None = Field(default=None, max_length=30)
    ever_married: bool = False
    consent: None = None  # not asked of a walk-in: the person is at the desk themselves


class NextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counter: str = Field(max_length=20, description="the desk's station code, e.g. 351504-1")


class CalledOut(BaseModel):
    ticket: str
    counter: str
    booking_code: str


class ServingOut(BaseModel):
    ticket: str
    counter: str


class QueueOut(BaseModel):
    serving: list[ServingOut]
    waiting: dict[str, int]


def ticket_json(session, ticket: Ticket) -> dict:
    place = queue.standing(session, ticket)
    return TicketOut(id=ticket.public_id, number=place.number, queue=ticket.lane,
                     position=place.position,
                     status_url=f"{current_app.config['BASE_URL']}/tiket/{ticket.public_id}"
                     ).model_dump()


@route("/bookings/<code>/check-in", "POST", summary="Check a booked person in (on the day)",
       roles=CHECK_IN_ROLES, scope=("office",), body=CheckInIn,
       responses={200: ("Checked in, with the queue ticket", CheckInOut),
                  404: ("No such booking", ErrorOut),
                  409: ("not_today, already_checked_in, or wrong_state (cancelled, …)",
                        ErrorOut),
                  422: ("nik_mismatch: the NIK is not the booking holder's", ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
@idempotent
def check_in_booking_json(code: str):
    booking, office = _booking_in_scope(code)
    body = parse_body(CheckInIn)
    session = get_session()
    try:
        ticket = check_in(session, booking, f"token:{current_token().id}", body.nik,
                          data_key=current_app.config["DATA_KEY"])
    except CheckInError as error:
        session.rollback()
        if error.code == "nik_mismatch":
            raise ApiError(422, "nik_mismatch", messages.CHECK_IN_REFUSALS["nik_mismatch"],
                           {"nik": messages.CHECK_IN_REFUSALS["nik_mismatch"]}) from None
        raise ApiError(409, error.code, CONFLICTS[error.code]) from None
    slot = session.get(Slot, booking.slot_id)
    return answer(session, {"booking": booking_json(booking, office, slot),
                            "ticket": ticket_json(session, ticket)}, 200)


def _office_in_scope(code: str) -> Office:
    office = get_office(get_session(), code)
    if office is None:
        raise ApiError(404, "not_found", NOT_FOUND_OFFICE)
    require_office(office.code)
    return office


@route("/offices/<code>/walk-ins", "POST", summary="A walk-in from today's held-back share",
       roles=CHECK_IN_ROLES, scope=("office",), body=WalkInIn,
       responses={201: ("Booked, checked in, with the queue ticket", CheckInOut),
                  409: ("no_walk_in_capacity (with next_slots) or already_booked", ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
@idempotent
def create_walk_in_json(code: str):
    office = _office_in_scope(code)
    body = parse_body(WalkInIn)
    token, session, now = current_token(), get_session(), utcnow()
    applicant = _applicant(body, office, now, session, token.role)
    try:
        made = lobby.walk_in(session, office=office, service=body.service, applicant=applicant,
                             channel=CHANNEL_BY_ROLE[token.role], actor=f"token:{token.id}",
                             now=now)
    except lobby.NoWalkInCapacity as full:
        session.rollback()
        return _no_capacity(office, full)
    except bookings.BookingError as error:
        session.rollback()
        raise _conflict(error) from None
    slot = session.get(Slot, made.booking.slot_id)
    return answer(session, {"booking": booking_json(made.booking, office, slot),
                            "ticket": ticket_json(session, made.ticket)}, 201)


def _no_capacity(office: Office, full: lobby.NoWalkInCapacity):
    response = jsonify({"error": full.code,
                        "message": str(messages.CHECK_IN_REFUSALS["no_walk_in_capacity"]),
                        "errors": {},
                        "next_slots": [{"id": v.slot.id, "start": _iso(office, v.slot.starts_at),
                                        "end": _iso(office, v.slot.ends_at), "pool": v.slot.pool,
                                        "remaining": v.availability.remaining}
                                       for v in full.next_slots]})
    response.status_code = 409
    return response


@route("/offices/<code>/queue", summary="Who is being served and how many wait (public)",
       responses={200: ("No names: numbers and counters", QueueOut),
                  404: ("No such office", ErrorOut)})
def show_queue_json(code: str):
    office = get_office(get_session(), code)
    if office is None:
        raise ApiError(404, "not_found", NOT_FOUND_OFFICE)
    shown = queue.board(get_session(), office)
    return jsonify({"serving": [{"ticket": c.number, "counter": c.counter_code}
                                for c in shown.calls],
                    "waiting": shown.waiting})


@route("/offices/<code>/queue/next", "POST", summary="Call the next ticket to a desk",
       roles=("officer",), scope=("office",), body=NextIn,
       responses={200: ("The ticket now called to the desk", CalledOut),
                  204: ("Nobody waits for this desk's pool", None),
                  422: ("unknown_counter", ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
def call_next_json(code: str):
    office = _office_in_scope(code)
    body = parse_body(NextIn)
    session = get_session()
    try:
        ticket = queue.call_next(session, office, body.counter, f"token:{current_token().id}")
    except queue.QueueError as error:
        session.rollback()
        raise ApiError(422, error.code, messages.QUEUE_REFUSALS[error.code],
                       {"counter": messages.QUEUE_REFUSALS[error.code]}) from None
    session.commit()
    if ticket is None:
        return "", 204
    booking = session.get(Booking, ticket.booking_id)
    return jsonify({"ticket": queue.display_number(ticket.lane, ticket.number),
                    "counter": ticket.counter, "booking_code": booking.code})

