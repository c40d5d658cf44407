"""The officer's API rows (DESIGN §6, issue 13): the office's day, recording (a station or the
officer by hand) and the card. The same domain functions serve the officer's pages."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import current_app, jsonify
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field

from ..db import get_session
from ..domain import capacity, card, lifecycle, officer_day, receipts, recording
from ..domain.offices import get_office
from ..extensions import limiter
from ..models import Slot, utcnow
from . import ApiError, current_token, parse_body, require_office, route
from .booking_schemas import BookingOut
from .bookings import (
    API_RATE,
    INVALID,
    NOT_FOUND_OFFICE,
    _booking_in_scope,
    _day_param,
    _iso,
    _token_key,
    booking_json,
)
from .schemas import ErrorOut

REFUSALS = {
    "wrong_state": _l("Langkah ini tidak bisa dilakukan pada status booking sekarang."),
    "no_blangko": _l("Blangko habis: catat Suket sampai blangko datang lagi."),
    "nik_mismatch": _l("NIK ini tidak cocok dengan pemilik booking."),
    "receipt_invalid": _l("Tanda terima ini tidak asli atau bukan milik booking ini."),
    "receipt_not_valid": _l("Tanda terima ini asli, tetapi tidak berlaku lagi."),
    "receipt_missing": _l("Kirim token tanda terima, atau alasan bila tanda terima hilang."),
}
# Refusals about what was sent (422) rather than about the booking's state (409).
FIELD_REFUSALS = {"nik_mismatch": "nik", "receipt_invalid": "recording_token",
                  "receipt_not_valid": "recording_token", "receipt_missing": "recording_token"}
DATE_NEEDED = _l("Tulis tanggal Suket sebagai YYYY-MM-DD.")
NIK_NEEDED = _l("Kirim NIK lengkap pemilik kartu.")


class DayRowOut(BaseModel):
    code: str
    status: str
    slot: dict = Field(description='{"start","end","pool"}, ISO 8601 with the office\'s offset')
    service: str
    name: str
    nik_masked: str
    priority: bool
    needs: list[str]
    channel: str
    ticket: str | None = Field(description="the queue ticket once checked in (lobby, issue 12)")


class StepOut(BaseModel):
    booking: BookingOut


class RecordedOut(BaseModel):
    booking: BookingOut
    recording_receipt_url: str | None
    verify_url: str | None


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["card_ready", "collected", "suket"]
    date: str | None = Field(default=None, description="suket: the letter's date, YYYY-MM-DD")
    recording_token: str | None = Field(default=None, max_length=3000,
                                        description="collected: the token from the receipt's QR")
    nik: str | None = Field(default=None, max_length=40,
                            description="collected: the full NIK, compared by hash")
    reason: str | None = Field(default=None, max_length=200,
                               description="collected without the receipt: why (lost)")


def _refused(error: lifecycle.StepError):
    field = FIELD_REFUSALS.get(error.code)
    message = REFUSALS.get(error.code, REFUSALS["wrong_state"])
    if field:
        return ApiError(422, error.code, message, {field: message})
    refusal = ApiError(409, error.code, message)
    refusal.allowed = error.allowed
    return refusal


def _answer(booking, office, **extra):
    slot = get_session().get(Slot, booking.slot_id)
    return jsonify({"booking": booking_json(booking, office, slot), **extra})


def _actor() -> str:
    return f"token:{current_token().id}"


@route("/offices/<code>/day", summary="An office's bookings of one day, by slot",
       roles=("officer", "admin"), scope=("office",),
       responses={200: ("The day's bookings (no full NIK)", list[DayRowOut]),
                  404: ("No such office", ErrorOut), 422: ("Bad date", ErrorOut)},
       params=[{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
                "description": "the day in the office's zone; default today"}])
@limiter.limit(API_RATE, key_func=_token_key)
def show_office_day_json(code: str):
    office = get_office(get_session(), code)
    if office is None:
        raise ApiError(404, "not_found", NOT_FOUND_OFFICE)
    require_office(office.code)
    day = _day_param("date", capacity.local_today(office, utcnow()))
    rows = officer_day.day_list(get_session(), office, day)
    return jsonify([{"code": r.code, "status": r.status, "slot": {
        "start": _iso(office, r.starts_at), "end": _iso(office, r.ends_at), "pool": r.pool},
        "service": r.service, "name": r.name, "nik_masked": r.nik_masked,
        "priority": r.priority, "needs": list(r.needs), "channel": r.channel,
        "ticket": r.ticket} for r in rows])


@route("/bookings/<code>/in-capture", "POST", summary="A station started the recording",
       roles=("officer", "capture_agent"), scope=("office",),
       responses={200: ("The booking, now in_capture", StepOut),
                  404: ("No such booking", ErrorOut),
                  409: ("wrong_state, with `allowed` next steps", ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
def start_capture_json(code: str):
    booking, office = _booking_in_scope(code)
    session = get_session()
    try:
        recording.start_capture(session, booking, _actor())
    except lifecycle.StepError as error:
        session.rollback()
        raise _refused(error) from None
    session.commit()
    return _answer(booking, office)


@route("/bookings/<code>/recorded", "POST", summary="The recording is done (or a late no-show)",
       roles=("officer", "capture_agent"), scope=("office",),
       responses={200: ("The booking, now recorded, and its recording receipt", RecordedOut),
                  404: ("No such booking", ErrorOut),
                  409: ("wrong_state, with `allowed` next steps", ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
def mark_recorded_json(code: str):
    booking, office = _booking_in_scope(code)
    session = get_session()
    try:
        receipt = recording.finish_capture(session, booking, _actor(),
                                           data_key=current_app.config["DATA_KEY"])
    except lifecycle.StepError as error:
        session.rollback()
        raise _refused(error) from None
    session.commit()
    receipt_url, verify_url = receipts.receipt_urls(receipt, current_app.config["BASE_URL"])
    return _answer(booking, office, recording_receipt_url=receipt_url, verify_url=verify_url)


def _card_step(session, booking, body: CardIn):
    if body.status == "card_ready":
        return card.mark_card_ready(session, booking, _actor())
    if body.status == "suket":
        try:
            on = date.fromisoformat(body.date or "")
        except ValueError:
            raise ApiError(422, "invalid", INVALID, {"date": DATE_NEEDED}) from None
        return card.record_suket(session, booking, _actor(), on)
    if not body.nik:
        raise ApiError(422, "invalid", INVALID, {"nik": NIK_NEEDED})
    return card.hand_over(session, booking, _actor(), nik=body.nik,
                          data_key=current_app.config["DATA_KEY"],
                          recording_token=body.recording_token, lost_reason=body.reason)


@route("/bookings/<code>/card", "POST", summary="The card: ready, Suket, or collected",
       roles=("officer",), scope=("office",), body=CardIn,
       responses={200: ("The booking after the step", StepOut),
                  404: ("No such booking", ErrorOut),
                  409: ("wrong_state (with `allowed`) or no_blangko", ErrorOut),
                  422: ("nik_mismatch, receipt_invalid, receipt_not_valid, receipt_missing, "
                        "or field errors", ErrorOut)})
@limiter.limit(API_RATE, key_func=_token_key)
def set_card_json(code: str):
    booking, office = _booking_in_scope(code)
    body = parse_body(CardIn)
    session = get_session()
    try:
        _card_step(session, booking, body)
    except lifecycle.StepError as error:
        session.rollback()
        raise _refused(error) from None
    session.commit()
    return _answer(booking, office)
