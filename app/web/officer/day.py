"""The officer's day (issue 13): today's list of the office, and one booking's page with the
steps its state allows — check-in with the NIK, recording by hand, counter service, no-show and
its undo, card ready, Suket, hand-over, central rejection. Each step is one domain function;
a refused step re-renders the booking's page with what it allows now."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _

from ...db import get_session
from ...domain import capacity, card, lifecycle, lobby, officer_day, receipts, recording
from ...domain import capture as captures
from ...domain.booking import needs_of
from ...domain.checkin import CheckInError
from ...domain.office_settings import card_pickup
from ...domain.services import SERVICES
from ...formatting import display_code, masked_nik
from ...models import Office, Slot, utcnow
from ..auth import current_user
from ..rendering import render
from .day_forms import (
    DONE_LABELS,
    NEED_LABELS,
    REFUSALS,
    REJECT_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    DayFilterForm,
    form_for,
)
from .helpers import actor, booking_for, office_of_user, officer_check_in
from .routes import bp
from .scan import token_from_scan

LABELS = {"statuses": STATUS_LABELS, "needs": NEED_LABELS, "steps": STEP_LABELS}


def day_context(office: Office, rows, form, now, *, help_calls=(), station_alarms=()) -> dict:
    """What officer/day.html needs; also what the bench renders over rows held in memory."""
    labels = {**LABELS, "services": {c: _(s.name) for c, s in SERVICES.items()}}
    return {"office": office, "rows": rows, "form": form, "labels": labels,
            "today": capacity.local_today(office, now), "tz": office.timezone,
            "blangko": office.blangko_stock, "prints_here": office.card_print_place ==
            "kecamatan", "help_calls": help_calls, "station_alarms": station_alarms,
            "station_alarm_confirm": True}


def _lobby_and_alarms(session, office: Office, now) -> dict:
    """The kiosks' open help calls and the capture alarms, shown above the day (one statement
    each, whatever the day's size)."""
    return {"help_calls": lobby.open_help_calls(session, office, now),
            "station_alarms": captures.alarms(
                session, office.code, alarm_seconds=current_app.config["CAPTURE_ALARM_SECONDS"],
                now=now)}


@bp.get("/")
def show_officer_home():
    office, now = office_of_user(), utcnow()
    form = DayFilterForm(request.args)
    form.validate()
    session = get_session()
    rows = officer_day.day_list(session, office, capacity.local_today(office, now),
                                status=form.status.data or None, search=form.q.data)
    return render("officer/day.html", block="rows",
                  **day_context(office, rows, form, now, **_lobby_and_alarms(session, office, now)))


def booking_needs(booking) -> list[str]:
    return [str(NEED_LABELS.get(need, need)) for need in needs_of(booking)]


def _booking_page(booking, *, forms=None, refusal=None, status=200):
    session = get_session()
    office, slot = session.get(Office, booking.office_code), session.get(Slot, booking.slot_id)
    steps = lifecycle.next_steps(booking)
    receipt = (receipts.latest_receipt(session, booking.id, card.receipt_kind_for(booking))
               if booking.recorded_at or booking.served_at else None)
    forms = {step: (forms or {}).get(step) or form_for(step, formdata=None) for step in steps}
    for form in forms.values():
        if "nik" in form:  # never echo a NIK back (DESIGN §9)
            form.nik.raw_data, form.nik.data = None, ""
    return render("officer/booking.html", booking=booking, office=office, slot=slot,
                  code=display_code(booking.code), nik=masked_nik(booking.nik_last4),
                  steps=steps, forms=forms, refusal=refusal, service=_(SERVICES[booking.service].name),
                  labels={**LABELS, "needs_of": booking_needs(booking)},
                  refusals=REFUSALS, reject_labels=REJECT_LABELS, pickup=card_pickup(office),
                  done=DONE_LABELS.get(request.args.get("selesai", "")),
                  blangko=office.blangko_stock, status=status,
                  receipt_path=f"/v/{receipt.token}" if receipt and receipt.token else None)


@bp.get("/booking/<code>")
def show_officer_booking(code: str):
    return _booking_page(booking_for(code))


@bp.post("/booking/<code>/<step>")
def take_booking_step(code: str, step: str):
    booking, session = booking_for(code), get_session()
    form = form_for(step) if step in STEP_LABELS else None
    if form is None or not form.validate_on_submit():
        return _booking_page(booking, forms={step: form} if form else None,
                             status=422 if form else 404)
    try:
        STEPS[step](session, booking, form)
    except (lifecycle.StepError, CheckInError) as refused:
        session.rollback()
        session.refresh(booking)
        if refused.code == "nik_mismatch":
            form.nik.errors = [REFUSALS["nik_mismatch"]]
            return _booking_page(booking, forms={step: form}, status=422)
        return _booking_page(booking, refusal=refused.code, status=409)
    session.commit()
    return redirect(url_for(".show_officer_booking", code=booking.code, selesai=step), code=303)


def _data_key() -> str:
    return current_app.config["DATA_KEY"]


def _check_in(session, booking, form):
    if booking.status != "booked":
        raise lifecycle.StepError("wrong_state", lifecycle.next_steps(booking))
    officer_check_in(session, booking, current_user(), form.nik.data)


def _collect(session, booking, form):
    token = token_from_scan(form.receipt.data or "") or None
    card.hand_over(session, booking, actor(), nik=form.nik.data, data_key=_data_key(),
                   recording_token=token, lost_reason=form.lost_reason.data)


STEPS = {
    "check_in": _check_in,
    "no_show": lambda s, b, f: officer_day.mark_no_show(s, b, actor()),
    "undo_no_show": lambda s, b, f: officer_day.undo_no_show(s, b, actor()),
    "in_capture": lambda s, b, f: recording.start_capture(s, b, actor()),
    "recorded": lambda s, b, f: recording.finish_capture(s, b, actor(), data_key=_data_key(),
                                                         by_hand=True),
    "served": lambda s, b, f: card.serve_at_counter(s, b, actor(), data_key=_data_key()),
    "to_recording": lambda s, b, f: recording.turn_into_recording(s, b, actor()),
    "card_ready": lambda s, b, f: card.mark_card_ready(s, b, actor()),
    "suket": lambda s, b, f: card.record_suket(s, b, actor(), f.on.data),
    "collected": _collect,
    "central_rejected": lambda s, b, f: card.reject_central(s, b, actor(), f.reason.data),
}
assert set(STEPS) == set(STEP_LABELS)
