"""Desa staff: book on behalf of residents, see the village's bookings, fill outreach visits.

A desa_staff user acts for their own desa only (app.domain.staff looks everything up by desa:
another desa's booking or visit is a 403). An admin may open the room for any desa of their
office with `?desa=CODE`, to help a desa's staff.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlmodel import select
from wtforms import SelectChoice

from ... import messages
from ...db import get_session, keep_horizon, write_step
from ...domain import booking as bookings
from ...domain import capacity, coverage, outreach, receipts, staff
from ...domain.errors import ValidationError
from ...domain.services import SERVICES
from ...formatting import display_code, local_date, masked_nik, slot_range
from ...models import Desa, Office, utcnow
from ..auth import current_user, guard
from ..rendering import render
from .forms import (
    CONSENT_LABELS,
    HOME_VISIT_LABELS,
    STATUS_LABELS,
    BookingFilterForm,
    OnBehalfForm,
    ServiceForm,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
guard(bp, "desa_staff", "admin")
SLOT_DAYS = 14


def _desa() -> Desa:
    """The desa this request acts for: the staff member's own, or the admin's `?desa=`."""
    if "staff_desa" not in g:
        user = current_user()
        code = user.desa_code if user.role == "desa_staff" else request.args.get("desa")
        desa = get_session().get(Desa, code) if code else None
        if desa is None or (user.role == "admin" and user.office_code not in (
                None, desa.office_code)):
            abort(404 if user.role == "admin" else 403)
        g.staff_desa = desa
    return g.staff_desa


def _office() -> Office:
    return get_session().get(Office, _desa().office_code)


@bp.context_processor
def staff_context():
    user = current_user()
    desa_args = {"desa": request.args.get("desa")} if user and user.role == "admin" else {}
    return {"desa_args": desa_args, "status_labels": STATUS_LABELS, "services": SERVICES,
            "consent_labels": CONSENT_LABELS, "home_visit_labels": HOME_VISIT_LABELS}


def _in_desa(find, *args):
    try:
        return find(get_session(), _desa().code, *args)
    except staff.NotInDesa:
        abort(403)


@bp.get("/")
def show_staff_home():
    if current_user().role == "admin" and not request.args.get("desa"):
        return _choose_desa()
    form = BookingFilterForm(request.args)
    form.validate()
    rows = staff.desa_bookings(get_session(), _desa(), **form.filters())
    _made, own_row, _problems = coverage.dashboard(get_session(), _desa().office_code,
                                                   _desa().code)
    return render("staff/home.html", block="bookings", desa=_desa(), office=_office(), form=form,
                  rows=rows, coverage=own_row, home_visits=staff.home_visits(
                      get_session(), _desa().code))


def _choose_desa():
    user = current_user()
    query = select(Desa).order_by(Desa.office_code, Desa.name)
    if user.office_code:
        query = query.where(Desa.office_code == user.office_code)
    return render("staff/choose_desa.html", desas=get_session().exec(query).all())


CSV_COLUMNS = ("code", "status", "date", "time", "service", "name", "nik_masked", "channel",
               "consent", "outreach_visit")


@bp.get("/bookings.csv")
def export_bookings():
    form = BookingFilterForm(request.args)
    form.validate()
    office, out = _office(), io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in staff.desa_bookings(get_session(), _desa(), **form.filters()):
        b, start = row.booking, capacity.local(office, row.slot.starts_at)
        writer.writerow([display_code(b.code), b.status, start.date().isoformat(),
                         start.strftime("%H:%M"), b.service, _cell(b.name),
                         masked_nik(b.nik_last4), b.channel, b.consent or "",
                         row.visit_id or ""])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="booking-{_desa().code}.csv"',
        "Cache-Control": "no-store"})


def _cell(text: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- booking on behalf ------------------------------------------------------------------------


def _slot_label(office: Office, slot, where: str) -> str:
    lang = str(get_locale() or "id")
    return (f"{local_date(slot.starts_at, lang, office.timezone, weekday=True)}, "
            f"{slot_range(slot.starts_at, slot.ends_at, lang, office.timezone)} · {where}")


def _slot_choices(service: str) -> list[tuple[str, str]]:
    """The desa's outreach visits first (first recordings), then the office's free slots."""
    office, now = _office(), utcnow()
    pool = capacity.pool_for(service)
    keep_horizon(office, pool, now)
    today = capacity.local_today(office, now)
    found = [(str(v.slot.id), _slot_label(office, v.slot, office.name))
             for v in capacity.list_slots(get_session(), office, pool, today,
                                          today + timedelta(days=SLOT_DAYS), now)
             if v.availability.remaining > 0]
    if SERVICES[service].needs_recording:
        found = [(str(slot.id), _slot_label(office, slot, visit.place))
                 for visit, slot in staff.outreach_slots(get_session(), _desa().code, now)
                 ] + found
    return found


def _service() -> str | None:
    chosen = request.args.get("layanan")
    return chosen if chosen in SERVICES else None


def _on_behalf_form(service: str) -> OnBehalfForm:
    form = OnBehalfForm()
    form.slot.choices = [SelectChoice("", _("— pilih —")),
                         *(SelectChoice(v, label) for v, label in _slot_choices(service))]
    return form


def _book_page(form: OnBehalfForm, service: str, status: int = 200):
    return render("staff/book.html", form=form, service=SERVICES[service], desa=_desa(),
                  status=status)


@bp.get("/daftar")
def show_book():
    service = _service()
    if service is None:
        return render("staff/book_service.html", form=ServiceForm(request.args), desa=_desa())
    return _book_page(_on_behalf_form(service), service)


@bp.post("/daftar")
def book():
    service = _service() or abort(404)
    form = _on_behalf_form(service)
    if form.validate_on_submit():
        try:
            made = _book(form, service)
        except ValidationError as error:
            form.refuse(error)
        except bookings.BookingError as error:
            form.slot.errors.append(messages.conflict_message(error.code))
        else:
            get_session().commit()
            return redirect(url_for("staff.show_booking", code=made.code,
                                    **_admin_desa()), code=303)
    get_session().rollback()
    return _book_page(form, service, status=422)


def _admin_desa() -> dict:
    return {"desa": request.args["desa"]} if current_user().role == "admin" else {}


def _book(form: OnBehalfForm, service: str):
    session, office, now = get_session(), _office(), utcnow()
    key = current_app.config["DATA_KEY"]
    applicant = bookings.validate_applicant(
        session, office=office, service=service, nik=form.nik.data, name=form.name.data,
        key=key.encode(), desa=_desa().code, phone=form.phone.data or None,
        channel="desa_staff", consent=form.consent.data, now=now)
    return staff.book_on_behalf(
        session, office=office, slot_id=int(form.slot.data), service=service,
        applicant=applicant, consent=form.consent.data,
        actor=f"user:{current_user().id}", data_key=key, now=now)


def _receipt_of(found):
    """The booking's receipt; one imported onto a visit gets it signed here if the invitations
    were not printed yet (a short write of its own)."""
    receipt = receipts.latest_receipt(get_session(), found.id)
    if receipt is None and found.status == "booked":
        booking_id, data_key = found.id, current_app.config["DATA_KEY"]
        write_step(lambda writer: receipts.issue_receipt(
            writer, writer.get(bookings.Booking, booking_id), "booking", data_key=data_key))
        receipt = receipts.latest_receipt(get_session(), found.id)
    return receipt


@bp.get("/booking/<code>")
def show_booking(code: str):
    found = _in_desa(staff.booking_of_desa, code.upper().replace("-", ""))
    receipt = _receipt_of(found)
    receipt_url, verify_url = (receipts.receipt_urls(receipt, current_app.config["BASE_URL"])
                               if receipt else (None, None))
    slot = get_session().get(bookings.Slot, found.slot_id)
    return render("staff/booking.html", b=found, slot=slot, office=_office(),
                  receipt_url=receipt_url, visit=outreach.visit_for_slot(get_session(), slot.id),
                  service=SERVICES[found.service], code=display_code(found.code),
                  nik=masked_nik(found.nik_last4))
