"""Slots and bookings over the integration API (DESIGN §6)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from .. import messages
from ..answers import kept, turns_at
from ..db import database, get_session, keep_horizon
from ..domain import booking as bookings
from ..domain import capacity, receipts
from ..domain.codes import normalise_code
from ..domain.errors import ValidationError
from ..domain.services import SERVICES
from ..extensions import limiter
from ..formatting import masked_nik
from ..models import Booking, Office, Receipt, Slot, utcnow
from . import ApiError, current_token, parse_body, require_desa, require_office, route
from .booking_schemas import BookingIn, BookingOut, BookingSlotOut, SlotOut
from .idempotency import answer, idempotent
from .schemas import ErrorOut

BOOKING_ROLES = ("kiosk", "desa_staff", "officer", "admin")
CHANNEL_BY_ROLE = {"kiosk": "kiosk", "desa_staff": "desa_staff", "officer": "officer",
                   "admin": "api"}
DEFAULT_DAYS = 7
MAX_DAYS = 62
API_RATE = "300 per minute"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Days a query may name: far enough for any real use, near enough that adding a week or
# converting to UTC never leaves the calendar (9999-12-31 + 6 days was a 500).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# Ids are 32-bit integers in both databases; a bigger number cannot name a row.
MAX_ID = 2**31 - 1

NOT_FOUND_OFFICE = _l("Kantor dengan kode ini tidak ada.")
NOT_FOUND_BOOKING = _l("Booking dengan kode ini tidak ada.")
BAD_DATE = _l("Tulis tanggal sebagai YYYY-MM-DD.")
DATE_OUT_OF_RANGE = _l("Tulis tanggal antara 2000-01-01 dan 2099-12-31.")
BAD_RANGE = _l("Tanggal akhir harus sama dengan atau sesudah tanggal awal, paling lama 62 hari.")
INVALID = messages.INVALID


def _token_key() -> str:
    header = request.headers.get("Authorization", "")
    return "api-token:" + hashlib.sha256(header.encode("utf-8", "surrogatepass")).hexdigest()


# One budget per token across the booking API (anti-scalper, DESIGN §3); tunable per deployment.
per_token = limiter.shared_limit(lambda: current_app.config.get("BOOKING_API_RATE", API_RATE),
                                 scope="booking-api", key_func=_token_key)


def _iso(office: Office, moment) -> str:
    return _local_iso(moment, office.timezone)


@lru_cache(maxsize=8192)
def _local_iso(moment, timezone: str) -> str:
    # A slot's times never change: every list of a week formats the same few hundred moments
    # (keyed by the moment and zone themselves, so never stale).
    return moment.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


def _day_param(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        if not ISO_DAY.fullmatch(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "invalid", INVALID, {name: BAD_DATE}) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ApiError(422, "invalid", INVALID, {name: DATE_OUT_OF_RANGE})
    return day


@route("/offices/<code>/slots", summary="Free places of an office's slots (public)",
       responses={200: ("Slots with a place left for someone, oldest first", list[SlotOut]),
                  404: ("No such office", ErrorOut), 422: ("Bad dates or service", ErrorOut)},
       params=[
           {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
            "description": "first day (inclusive, office's zone); default today"},
           {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
            "description": "last day (inclusive); default a week after `from`"},
           {"name": "service", "in": "query", "schema": {"type": "string",
                                                          "enum": list(SERVICES)},
            "description": "the service whose pool is listed; default pemula"}])
@kept
def list_slots_json(code: str):
    now = utcnow()
    # The office and its closures in one read; "today" is the office's, known only with it,
    # so the closures are read from a day before the earliest today anywhere.
    earliest = now.date() - timedelta(days=1)
    given = _day_param("from", earliest)
    office, closures = capacity.office_with_closures(
        get_session(), code, given, _day_param("to", given + timedelta(days=DEFAULT_DAYS + 1)))
    if office is None:
        raise ApiError(404, "not_found", NOT_FOUND_OFFICE)
    service = request.args.get("service", "pemula")
    if service not in SERVICES:
        raise ApiError(422, "invalid", INVALID, {"service": messages.field_message("service", "unknown")})
    first = _day_param("from", capacity.local_today(office, now))
    last = _day_param("to", first + timedelta(days=DEFAULT_DAYS - 1))
    if last < first or (last - first).days >= MAX_DAYS:
        raise ApiError(422, "invalid", INVALID, {"to": BAD_RANGE})
    pool = capacity.pool_for(service)
    keep_horizon(office, pool, now)
    views = capacity.list_slots(get_session(), office, pool, first, last, now, closures=closures)
    turns_at(capacity.list_turns(office, views, now))
    return jsonify([{
        "id": v.slot.id, "start": _iso(office, v.slot.starts_at), "end": _iso(office, v.slot.ends_at),
        "pool": v.slot.pool, "capacity": v.slot.capacity, "remaining": v.availability.remaining,
        "remaining_priority": v.availability.remaining_priority} for v in views])


def booking_json(booking: Booking, office: Office, slot: Slot,
                 receipt: Receipt | None = None) -> dict:
    receipt = receipt or receipts.latest_receipt(get_session(), booking.id)
    receipt_url, verify_url = (receipts.receipt_urls(receipt, current_app.config["BASE_URL"])
                               if receipt else (None, None))
    return BookingOut(
        code=booking.code, status=booking.status, service=booking.service, office=office.code,
        slot=BookingSlotOut(id=slot.id, start=_iso(office, slot.starts_at),
                            end=_iso(office, slot.ends_at), pool=slot.pool),
        name=booking.name, nik_masked=masked_nik(booking.nik_last4),
        desa_code=booking.desa_code, priority=booking.priority, needs=bookings.needs_of(booking),
        channel=booking.channel, created_at=booking.created_at.isoformat(timespec="seconds"),
        receipt_url=receipt_url, verify_url=verify_url).model_dump()


def _applicant(body: BookingIn, office: Office, now, reader, role: str,
               place: bookings.Place | None = None) -> bookings.Applicant:
    """The domain's one check of who books; its codes in the caller's words. `place`: what
    read_place found for a chosen slot (a walk-in has none yet)."""
    try:
        return bookings.validate_applicant(
            reader, office=office, service=body.service, nik=body.nik, name=body.name,
            key=current_app.config["DATA_KEY"].encode(),
            desa=bookings.OUTSIDE if body.desa_code is None else body.desa_code,
            phone=body.phone, needs=body.needs, ever_married=body.ever_married,
            channel=CHANNEL_BY_ROLE[role], consent=body.consent, now=now, place=place)
    except ValidationError as error:
        raise ApiError(422, "invalid", INVALID, messages.field_messages(error)) from None
    except bookings.BookingError as error:
        raise _conflict(error) from None


def _checked_request(body: BookingIn, role: str):
    """(place, applicant, now) once scope and input are checked: one read (read_place), in a
    read session, so on SQLite the write lock is not taken for any of it."""
    now = utcnow()
    hashed = bookings.hash_of_typed_nik(body.nik, current_app.config["DATA_KEY"].encode())
    with database().session(write=False) as reader:
        place = (bookings.read_place(reader, body.slot_id, nik_hash=hashed, desa=body.desa_code,
                                     now=now) if 0 < body.slot_id <= MAX_ID else None)
        if place is None:
            raise _conflict(bookings.BookingError("slot_unavailable"))
        require_office(place.slot.office_code)
        if role == "desa_staff":
            require_desa(body.desa_code)  # a desa's staff book only for their own residents
        applicant = _applicant(body, place.office, now, reader, role, place)
    return place, applicant, now


@route("/bookings", "POST", summary="Book a place for a resident", roles=BOOKING_ROLES,
       body=BookingIn, scope=("office", "desa"),
       responses={201: ("Booked", BookingOut),
                  409: ("slot_full or already_booked", ErrorOut)})
@per_token
@idempotent
def create_booking_json():
    body = parse_body(BookingIn)
    token = current_token()
    role, actor = token.role, f"token:{token.id}"
    place, applicant, now = _checked_request(body, role)
    # The write session's transaction begins here (on SQLite: BEGIN IMMEDIATE, the write lock)
    # and holds only the inserts and the UPDATE; `answer` commits it at once.
    session = get_session()
    try:
        booked = bookings.book(
            session, office=place.office, slot_id=place.slot.id, service=body.service,
            applicant=applicant, channel=CHANNEL_BY_ROLE[role], actor=actor,
            consent=body.consent, now=now, place=place, data_key=current_app.config["DATA_KEY"])
    except bookings.BookingError as error:
        session.rollback()
        raise _conflict(error) from None
    body = booking_json(booked.booking, place.office, booked.slot, booked.receipt)
    return answer(session, body, 201)  # the booking and its kept answer commit together


def _conflict(error: bookings.BookingError) -> ApiError:
    if isinstance(error, bookings.NotEligible):
        return ApiError(422, "invalid", INVALID, {"nik": messages.field_message(
            "nik", "too_young", {"day": error.eligible_from})})
    if error.code in ("slot_full", "already_booked", "not_cancellable"):
        return ApiError(409, error.code, messages.conflict_message(error.code))
    return ApiError(422, "invalid", INVALID,
                    {"slot_id": messages.field_message("slot_id", "unknown")})


def _booking_in_scope(code: str) -> tuple[Booking, Office]:
    booking = bookings.find_current(get_session(), normalise_code(code))
    if booking is None:
        raise ApiError(404, "not_found", NOT_FOUND_BOOKING)
    require_office(booking.office_code)
    if current_token().role == "desa_staff":
        require_desa(booking.desa_code)
    return booking, get_session().get(Office, booking.office_code)


@route("/bookings/<code>", summary="A booking by its code", roles=BOOKING_ROLES,
       scope=("office", "desa"),
       responses={200: ("The booking", BookingOut), 404: ("No such booking", ErrorOut)})
@per_token
def show_booking_json(code: str):
    booking, office = _booking_in_scope(code)
    return jsonify(booking_json(booking, office, get_session().get(Slot, booking.slot_id)))


@route("/bookings/<code>/cancel", "POST", summary="Cancel a booking; its place is free again",
       roles=BOOKING_ROLES, scope=("office", "desa"),
       responses={200: ("The booking, now cancelled", BookingOut),
                  404: ("No such booking", ErrorOut),
                  409: ("not_cancellable: checked in, recorded, no-show or cancelled", ErrorOut)})
@per_token
def cancel_booking_json(code: str):
    booking, office = _booking_in_scope(code)
    session = get_session()
    try:
        bookings.cancel_booking(session, booking, f"token:{current_token().id}")
    except bookings.BookingError as error:
        session.rollback()
        raise _conflict(error) from None
    session.commit()
    return jsonify(booking_json(booking, office, session.get(Slot, booking.slot_id)))

