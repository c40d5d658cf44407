"""The kiosk's two person doors: "Saya sudah daftar" (code → NIK → ticket) and "Saya belum
daftar" (walk-in from today's held-back share, else the next slots, bookable here)."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask import session as browser_session
from flask_babel import lazy_gettext as _l

from ... import messages
from ...adapters.qr import qr_data_uri
from ...db import get_session
from ...domain import booking as bookings
from ...domain import drafts, lobby, receipts
from ...domain.checkin import CheckInError, check_in
from ...domain.codes import normalise_code
from ...models import Booking, Slot
from ..officer.scan import token_from_scan
from ..walk_in import walk_in_applicant, walk_in_form
from .forms import CodeForm, NikForm, SlotForm, WalkInForm
from .routes import bp, current_kiosk, kiosk_office, kiosk_page

DRAFT_KIND = "kiosk_walk_in"
RECEIPT_REFUSALS = {"used": "already_checked_in", "cancelled": "wrong_state",
                    "expired": "wrong_state", "superseded": "superseded"}
SUPERSEDED = _l("Bukti ini sudah diganti dengan bukti yang lebih baru. Pindai bukti yang "
                "terbaru, atau ketik kodenya.")


def _actor() -> str:
    return f"kiosk:{current_kiosk().id}"


def _refusal(code: str) -> str:
    return str(SUPERSEDED if code == "superseded" else messages.CHECK_IN_REFUSALS[code])


def _booking_from(raw: str) -> tuple[Booking | None, str | None]:
    """The booking a typed code or a scanned receipt names, in this kiosk's office; or why not."""
    session = get_session()
    if len(raw.strip()) <= 20:
        booking = bookings.find_current(session, normalise_code(raw))
    else:
        found = receipts.verify_token(session, token_from_scan(raw))
        if found.genuine and found.status in RECEIPT_REFUSALS:
            return None, RECEIPT_REFUSALS[found.status]
        booking = found.booking if found.genuine and found.receipt.kind == "booking" else None
    if booking is None or booking.office_code != current_kiosk().office_code:
        return None, "not_found"
    return booking, None


# --- "Saya sudah daftar" -----------------------------------------------------------------------


@bp.get("/sudah-daftar")
def show_check_in():
    return kiosk_page("kiosk/check_in.html", form=CodeForm(formdata=None))


@bp.post("/sudah-daftar")
def find_booking():
    form = CodeForm()
    booking, refusal = (_booking_from(form.code.data) if form.validate_on_submit()
                        else (None, None))
    if refusal:
        form.code.errors.append(_refusal(refusal))
    if booking is None:
        return kiosk_page("kiosk/check_in.html", form=form, status=422)
    nik_form = NikForm(formdata=None, data={"code": booking.code})
    return kiosk_page("kiosk/nik.html", form=nik_form)


@bp.post("/sudah-daftar/nik")
def check_in_at_kiosk():
    form = NikForm()
    booking, refusal = _booking_from(form.code.data or "")
    if booking is None:
        return kiosk_page("kiosk/check_in.html", form=_code_form_with(_refusal(refusal)),
                          status=422)
    if not form.validate_on_submit():
        return kiosk_page("kiosk/nik.html", form=_blank_nik(form), status=422)
    try:
        ticket = check_in(get_session(), booking, _actor(), form.nik.data,
                          data_key=current_app.config["DATA_KEY"])
    except CheckInError as error:
        get_session().rollback()
        if error.code == "nik_mismatch":
            form.nik.errors.append(_refusal(error.code))
            return kiosk_page("kiosk/nik.html", form=_blank_nik(form), status=422)
        return kiosk_page("kiosk/check_in.html", form=_code_form_with(_refusal(error.code)),
                          status=409)
    get_session().commit()
    return redirect(url_for(".show_kiosk_ticket", public_id=ticket.public_id), code=303)


def _blank_nik(form: NikForm) -> NikForm:
    form.nik.raw_data, form.nik.data = None, ""  # never echo a NIK back
    return form


def _code_form_with(message: str) -> CodeForm:
    form = CodeForm(formdata=None)
    form.code.errors = [message]
    return form


# --- "Saya belum daftar" -----------------------------------------------------------------------


def _walk_in_form(formdata=None) -> WalkInForm:
    return walk_in_form(kiosk_office(), _l("Saya dari luar kecamatan ini"), formdata)


@bp.get("/belum-daftar")
def show_walk_in():
    return kiosk_page("kiosk/walk_in.html", form=_walk_in_form())


@bp.post("/belum-daftar")
def walk_in_at_kiosk():
    form = _walk_in_form(request.form)
    applicant = (walk_in_applicant(form, kiosk_office(), "kiosk") if form.validate()
                 else None)
    if applicant is None:
        return kiosk_page("kiosk/walk_in.html", form=_blank_walk_in(form), status=422)
    try:
        made = lobby.walk_in(get_session(), office=kiosk_office(), service=form.service.data,
                             applicant=applicant, channel="kiosk", actor=_actor())
    except lobby.NoWalkInCapacity as full:
        get_session().rollback()
        return _offer_next_slots(form.service.data, applicant, full.next_slots)
    except bookings.BookingError as error:
        get_session().rollback()
        form.nik.errors.append(messages.conflict_message(error.code))
        return kiosk_page("kiosk/walk_in.html", form=_blank_walk_in(form), status=422)
    get_session().commit()
    return redirect(url_for(".show_kiosk_ticket", public_id=made.ticket.public_id), code=303)


def _blank_walk_in(form: WalkInForm) -> WalkInForm:
    form.nik.raw_data, form.nik.data = None, ""
    return form


def _offer_next_slots(service: str, applicant: bookings.Applicant, next_slots):
    """Today is full: the next slots, bookable here. What the person typed waits in a
    server-side draft (hash and last 4 digits of the NIK only), its id in the session."""
    payload = {"service": service, **{k: getattr(applicant, k) for k in (
        "nik_hash", "nik_last4", "age_band", "name", "phone", "desa_code", "may_record")},
               "needs": list(applicant.needs)}
    draft = drafts.start(get_session(), DRAFT_KIND, payload)
    get_session().commit()
    browser_session["kiosk_draft"] = draft.id
    return kiosk_page("kiosk/next_slots.html", slots=next_slots, form=SlotForm(formdata=None),
                      status=200)


@bp.post("/belum-daftar/jadwal")
def book_next_slot():
    form = SlotForm()
    found = drafts.load(get_session(), browser_session.get("kiosk_draft"), DRAFT_KIND)
    if found is None or not form.validate_on_submit() or not form.slot.data.isdigit():
        return redirect(url_for(".show_walk_in"), code=303)
    _draft, payload = found
    service = payload.pop("service")
    applicant = bookings.Applicant(**{**payload, "needs": tuple(payload["needs"])})
    try:
        booking = bookings.create_booking(
            get_session(), office=kiosk_office(), slot_id=int(form.slot.data), service=service,
            applicant=applicant, channel="kiosk", actor=_actor())
    except bookings.BookingError:
        get_session().rollback()
        abort(409)
    receipt = receipts.issue_receipt(get_session(), booking, "booking",
                                     data_key=current_app.config["DATA_KEY"])
    get_session().commit()
    browser_session.pop("kiosk_draft", None)
    _receipt_url, verify_url = receipts.receipt_urls(receipt, current_app.config["BASE_URL"])
    return kiosk_page("kiosk/booked.html", booking=booking, qr=qr_data_uri(verify_url),
                      slot=get_session().get(Slot, booking.slot_id))
