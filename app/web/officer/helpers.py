"""Helpers that refuse for the officer's views (STYLE: Flaskr's get_post): the booking of a
typed code, only within the officer's own office (403 otherwise), and the office whose day is
shown. Check-in goes through one call here, so the page and the scanner pass the same NIK."""

from __future__ import annotations

from flask import abort, current_app, request

from ...db import get_session
from ...domain.booking import find_current
from ...domain.checkin import check_in
from ...domain.codes import normalise_code
from ...domain.offices import get_office, list_offices
from ...models import Booking, Office, Ticket, User
from ..auth import current_user


def actor(user: User | None = None) -> str:
    return f"user:{(user or current_user()).id}"


def booking_for(code: str) -> Booking:
    """The current booking of this code: 404 when none, 403 when it belongs to another office
    than the officer's (an office-less admin sees all)."""
    booking = find_current(get_session(), normalise_code(code))
    if booking is None:
        abort(404)
    office = current_user().office_code
    if office is not None and office != booking.office_code:
        abort(403)
    return booking


def office_of_user() -> Office:
    """The officer's own office; an admin of all offices picks one (?kantor=CODE)."""
    user, session = current_user(), get_session()
    code = user.office_code or request.args.get("kantor", "")
    office = get_office(session, code) if code else None
    if office is None and user.office_code is None:
        office = next(iter(list_offices(session)), None)
    if office is None:
        abort(404)
    return office


def officer_check_in(session, booking: Booking, user: User, nik: str) -> Ticket:
    """The lobby's check-in (app.domain.checkin, issue 12) with the NIK typed from the KK: the
    booking is checked in and its queue ticket returned."""
    return check_in(session, booking, actor(user), nik, data_key=current_app.config["DATA_KEY"])
