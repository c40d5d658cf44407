"""Citizen booking: service → office → day → time → details → review → confirmed, and manage.

Each step is a real page (GET shows it, POST saves the answer and redirects). The answers live in
a server-side draft (random id in the `booking_draft` cookie, 30 minutes); on the details step the
NIK is reduced to its keyed hash, its last 4 digits and what the rules decide from it (may record,
age band): its birth date and sex are never stored, in the draft or the booking (DESIGN §9).
A place is taken only by the final confirm. Managing a booking needs its code and the full NIK:
the receipt shows both the code and the last 4 digits, so those alone cannot be the key.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from flask import Blueprint, current_app, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from ... import messages
from ...db import get_session, keep_horizon
from ...domain import booking as bookings
from ...domain import capacity, drafts, manage_access, receipts
from ...domain.codes import normalise_code
from ...domain.drafts import BookingDraft
from ...domain.errors import ValidationError
from ...domain.nik import nik_hash
from ...domain.offices import desa_by_office, list_offices
from ...domain.phones import normalise_phone
from ...domain.services import FREE_NOTE, OUTSIDE_DOMICILE_NOTE, SERVICES, checklist
from ...extensions import limiter
from ...formatting import display_code, local_date, masked_nik, slot_range
from ...models import Desa, Office, Slot, utcnow
from ..drafts import BOOKING_COOKIE, load_booking, store, store_booking
from ..forms import NEED_LABELS
from ..rendering import render
from .booking_forms import (
    NO_MATCH,
    OFFICE_NEEDS,
    ONE_TIME_CODE_WRONG,
    OUTSIDE,
    ConfirmForm,
    DayForm,
    DetailsForm,
    LostCodeForm,
    ManageForm,
    OfficeForm,
    OneTimeCodeForm,
    ServiceForm,
    TimeForm,
)
from .card_stages import card_stages  # issue 13

bp = Blueprint("booking", __name__)

DRAFT_COOKIE = BOOKING_COOKIE
MANAGE_COOKIE = "booking_manage"
STEPS = ("service", "office", "day", "slot", "details")
STEP_ENDPOINTS = {"service": "booking.show_service", "office": "booking.show_office",
                  "day": "booking.show_day", "slot": "booking.show_time",
                  "details": "booking.show_details"}
NEXT_FREE = 6

# Abuse limits (DESIGN §3 anti-scalper): per client address and per NIK / phone / code.
DETAILS_PER_ADDRESS = "30 per hour"
DETAILS_PER_PERSON = "10 per hour"
CONFIRM_PER_ADDRESS = "10 per hour"
CONFIRM_PER_NIK = "5 per hour"
MANAGE_PER_ADDRESS = "10 per 15 minutes"
MANAGE_PER_CODE = "5 per 15 minutes"
ONE_TIME_CODE_PER_ADDRESS = "10 per 15 minutes"
LOST_CODE_PER_ADDRESS = "5 per hour"
LOST_CODE_PER_NIK = "3 per day"  # each one is an SMS to someone's phone



# --- drafts ---------------------------------------------------------------------------------


def _load(cookie: str, kind: str) -> tuple[drafts.Draft | None, dict]:
    found = drafts.load(get_session(), request.cookies.get(cookie), kind)
    return found if found else (None, {})


def _saved(payload, draft, endpoint: str, cookie=DRAFT_COOKIE, kind=drafts.BOOKING, **values):
    return store(redirect(url_for(endpoint, **values), code=303), cookie, kind, draft, payload)


def _missing_step(payload: BookingDraft, upto: str):
    """A redirect to the first unanswered step before `upto`, or None."""
    for step in STEPS[:STEPS.index(upto)] if upto in STEPS else STEPS:
        if not (payload.has_nik if step == "details" else getattr(payload, step)):
            expired = request.cookies.get(DRAFT_COOKIE) and payload.empty
            return redirect(url_for(STEP_ENDPOINTS[step], **({"habis": 1} if expired else {})),
                            code=303)
    return None


def _private(response):
    """A page that may show what the person typed as a NIK: no cache keeps it (back button)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _lang() -> str:
    return str(get_locale() or "id")


# --- presentation helpers -----------------------------------------------------------------------


def _day_label(day: date) -> str:
    return local_date(day, _lang(), weekday=True)


def _time_label(office: Office, slot: Slot) -> str:
    return slot_range(slot.starts_at, slot.ends_at, _lang(), office.timezone)


def _slot_label(office: Office, view: capacity.SlotView, with_day: bool = False) -> str:
    when = _time_label(office, view.slot)
    if with_day:
        when = f"{_day_label(capacity.local(office, view.slot.starts_at).date())}, {when}"
    if view.availability.remaining:
        return f"{when} — " + str(_l("%(n)s tempat", n=view.availability.remaining))
    return f"{when} — " + str(_l("hanya untuk prioritas"))


def _issue_receipt(session, booking):
    """The booking receipt's token (signed now; its PDF is rendered on first download)."""
    return receipts.issue_receipt(session, booking, "booking",
                                  data_key=current_app.config["DATA_KEY"])


# The office's closures come with the office (one statement) for this window around today:
# wider than any booking horizon, so every page of the flow finds the days it shows.
CLOSURE_WINDOW = (timedelta(days=-1), timedelta(days=366))


def _office_and_pool(payload: BookingDraft) -> tuple[Office | None, str | None]:
    today = utcnow().date()
    first, last = today + CLOSURE_WINDOW[0], today + CLOSURE_WINDOW[1]
    office, closures = capacity.office_with_closures(get_session(), payload.office or "",
                                                     first, last)
    if office is not None:
        g.setdefault("booking_closure_window", {})[office.code] = (first, last, closures)
    service = payload.service
    return office, capacity.pool_for(service) if service in SERVICES else None


def _horizon_views(office: Office, pool: str) -> list[capacity.SlotView]:
    """Slots a citizen can still book online (the last hour before a slot is for walk-ins);
    read once per request."""
    memo = g.setdefault("booking_views", {})
    if (office.code, pool) not in memo:
        now = utcnow()
        keep_horizon(office, pool, now)
        first, last = capacity.horizon(office, now)
        memo[office.code, pool] = [
            v for v in capacity.list_slots(get_session(), office, pool, first, last, now,
                                           closures=_closures(office, first, last))
            if now < v.slot.starts_at - capacity.online_cutoff(office)]
    return memo[office.code, pool]


def _closures(office: Office, first: date, last: date) -> dict[date, str]:
    """The office's closures, read once per request (never kept across requests: an admin's
    new closure must show at once on every worker)."""
    memo = g.setdefault("booking_closures", {})
    window = g.get("booking_closure_window", {}).get(office.code)
    if window is not None and window[0] <= first and last <= window[1]:
        return {day: reason for day, reason in window[2].items() if first <= day <= last}
    if (office.code, first, last) not in memo:
        memo[office.code, first, last] = capacity.admin_closures(get_session(), office, first,
                                                                 last)
    return memo[office.code, first, last]


def _calendar(office: Office, pool: str) -> list[dict]:
    """Every day of the horizon with what it offers, in weeks from Monday; each day says in words
    whether it is closed, full or has places (readable without colour)."""
    now = utcnow()
    first, last = capacity.horizon(office, now)
    by_day: dict[date, list[capacity.SlotView]] = {}
    for view in _horizon_views(office, pool):
        by_day.setdefault(capacity.local(office, view.slot.starts_at).date(), []).append(view)
    session = get_session()
    closures = _closures(office, first, last)
    closed = capacity.closed_days(session, office, first, last, _lang(), closures=closures)
    planned = capacity.planned_times(session, office, first, last, closures=closures)
    open_days = {capacity.local(office, start).date() for start, _end in planned}
    # A day none of whose times can still be booked (today after closing) is past, not full.
    still_open = {capacity.local(office, start).date() for start, _end in planned
                  if now < start - capacity.online_cutoff(office)}
    weeks: list[dict] = []
    day = first - timedelta(days=first.weekday())
    while day <= last:
        days = []
        for offset in range(7):
            d = day + timedelta(days=offset)
            views = by_day.get(d, [])
            places = sum(v.availability.remaining for v in views)
            days.append({"day": d, "label": _day_label(d), "in_range": first <= d <= last,
                         "places": places, "priority_only": bool(views) and places == 0,
                         "closed": closed.get(d), "open": d in open_days,
                         "past": d in open_days and d not in still_open})
        weeks.append({"start": day, "end": day + timedelta(days=6), "days": days})
        day += timedelta(days=7)
    return weeks


def _week_label(week: dict) -> str:
    return f"{local_date(week['start'], _lang(), year=False)} – " \
           f"{local_date(week['end'], _lang())}"


def _day_views(office: Office, pool: str, day: date) -> list[capacity.SlotView]:
    return [v for v in _horizon_views(office, pool)
            if capacity.local(office, v.slot.starts_at).date() == day]


def _next_free(office: Office, pool: str, after: Slot | None) -> list[capacity.SlotView]:
    views = _horizon_views(office, pool)
    if after is not None:
        views = [v for v in views if v.slot.starts_at >= after.starts_at]
    return views[:NEXT_FREE]


# --- 1. service ---------------------------------------------------------------------------------


def _service_form(payload: BookingDraft, formdata=None) -> ServiceForm:
    form = ServiceForm(formdata=formdata)
    form.service.choices = [SelectChoice(code, _(s.name)) for code, s in SERVICES.items()]
    if formdata is None:
        wanted = request.args.get("service") or payload.service
        form.service.data = wanted if wanted in SERVICES else None
    return form


@bp.get("/booking")
def show_service():
    _draft, payload = load_booking()
    return render("citizen/booking/service.html", form=_service_form(payload), payload=payload,
                  expired=bool(request.args.get("habis")))


@bp.post("/booking")
def choose_service():
    draft, payload = load_booking()
    form = _service_form(payload, request.form)
    if not form.validate():
        return render("citizen/booking/service.html", form=form, payload=payload, status=422)
    if payload.service != form.service.data:
        payload.slot = None  # another pool: the chosen time no longer applies
        if SERVICES[form.service.data].needs_recording and payload.may_record is False:
            payload.forget_nik()  # too young: typing the NIK again says from which day
    payload.confirmed = None
    payload.service = form.service.data
    return _saved(payload, draft, "booking.show_office")


# --- 2. office ----------------------------------------------------------------------------------


def _office_form(payload: BookingDraft, formdata=None) -> OfficeForm:
    form = OfficeForm(formdata=formdata, data={"office": payload.office})
    form.office.choices = [SelectChoice(o.code, o.name) for o in list_offices(get_session())]
    return form


@bp.get("/booking/kantor")
def show_office():
    _draft, payload = load_booking()
    if (missing := _missing_step(payload, "office")) is not None:
        return missing
    return render("citizen/booking/office.html", form=_office_form(payload),
                  offices=list_offices(get_session()))


@bp.post("/booking/kantor")
def choose_office():
    draft, payload = load_booking()
    if (missing := _missing_step(payload, "office")) is not None:
        return missing
    form = _office_form(payload, request.form)
    if not form.validate():
        return render("citizen/booking/office.html", form=form, offices=list_offices(get_session()),
                      status=422)
    if payload.office != form.office.data:
        payload.day = payload.slot = payload.desa = None
    payload.office = form.office.data
    return _saved(payload, draft, "booking.show_day")


# --- 3. day -------------------------------------------------------------------------------------


def _day_form(weeks: list[dict], payload: BookingDraft, formdata=None) -> DayForm:
    form = DayForm(formdata=formdata, data={"day": payload.day})
    form.day.choices = [SelectChoice(d["day"].isoformat(), d["label"])
                        for w in weeks for d in w["days"]
                        if d["in_range"] and (d["places"] or d["priority_only"])]
    return form


def _day_page(form, weeks, office, status=200):
    for week in weeks:
        week["label"] = _week_label(week)
    options = {option.data: option for option in form.day}
    return render("citizen/booking/day.html", form=form, weeks=weeks, office=office, options=options,
                  zone=capacity.zone_name(office), status=status)


@bp.get("/booking/hari")
def show_day():
    _draft, payload = load_booking()
    if (missing := _missing_step(payload, "day")) is not None:
        return missing
    office, pool = _office_and_pool(payload)
    weeks = _calendar(office, pool)
    return _day_page(_day_form(weeks, payload), weeks, office)


@bp.post("/booking/hari")
def choose_day():
    draft, payload = load_booking()
    if (missing := _missing_step(payload, "day")) is not None:
        return missing
    office, pool = _office_and_pool(payload)
    weeks = _calendar(office, pool)
    form = _day_form(weeks, payload, request.form)
    if not form.validate():
        return _day_page(form, weeks, office, status=422)
    if payload.day != form.day.data:
        payload.slot = None
    payload.day = form.day.data
    return _saved(payload, draft, "booking.show_time")


# --- 4. time ------------------------------------------------------------------------------------


def _chosen_day(payload: BookingDraft) -> date:
    try:
        return date.fromisoformat(request.args.get("day") or payload.day)
    except (ValueError, TypeError):
        return date.fromisoformat(payload.day)


def _time_page(payload: BookingDraft, office: Office, views, formdata=None, status=200, taken=False,
               day: date | None = None):
    form = TimeForm(formdata=formdata, data={"slot": str(payload.slot or "")})
    form.slot.choices = [SelectChoice(str(v.slot.id), _slot_label(office, v, with_day=taken))
                         for v in views]
    day = day or _chosen_day(payload)
    neighbours = _neighbour_days(office, payload, day)
    return render("citizen/booking/time.html", block="time_choices" if not taken else None, form=form,
                  office=office, day=day, day_label=_day_label(day), taken=taken,
                  neighbours=neighbours, status=status)


def _neighbour_days(office: Office, payload: BookingDraft, day: date) -> dict:
    """The nearest earlier and later days with places, for moving through days in place."""
    _office, pool = _office_and_pool(payload)
    days = sorted({capacity.local(office, v.slot.starts_at).date()
                   for v in _horizon_views(office, pool)})
    earlier = [d for d in days if d < day]
    later = [d for d in days if d > day]
    return {"previous": earlier[-1] if earlier else None, "next": later[0] if later else None,
            "label": _day_label}


@bp.get("/booking/jam")
def show_time():
    _draft, payload = load_booking()
    if (missing := _missing_step(payload, "slot")) is not None:
        return missing
    office, pool = _office_and_pool(payload)
    day = _chosen_day(payload)
    return _time_page(payload, office, _day_views(office, pool, day), day=day)


@bp.post("/booking/jam")
def choose_time():
    draft, payload = load_booking()
    if (missing := _missing_step(payload, "slot")) is not None:
        return missing
    office, pool = _office_and_pool(payload)
    views = {str(v.slot.id): v for v in _horizon_views(office, pool)}
    form = TimeForm(request.form)
    form.slot.choices = [SelectChoice(k, "") for k in views]
    if not form.validate():
        day = _chosen_day(payload)
        return _time_page(payload, office, _day_views(office, pool, day), request.form,
                          status=422, day=day)
    slot = views[form.slot.data].slot
    payload.slot = slot.id
    payload.day = capacity.local(office, slot.starts_at).date().isoformat()
    return _saved(payload, draft, "booking.show_review" if payload.has_nik
                  else "booking.show_details")


# --- 5. details ---------------------------------------------------------------------------------


def _details_form(office: Office, payload: BookingDraft, formdata=None) -> DetailsForm:
    data = {"name": payload.name, "phone": payload.phone, "desa": payload.desa}
    # Needs stated on the help page (/bantuan) come pre-ticked; a home visit is not a slot.
    data["needs"] = [n for n in payload.needs or [] if n in OFFICE_NEEDS]
    form = DetailsForm(formdata=formdata, data=data,
                       today=capacity.local_today(office, utcnow()))
    desa = desa_by_office(get_session()).get(office.code, [])
    form.desa.choices = [SelectChoice("", _l("— pilih —"))] + \
        [SelectChoice(d.code, d.name) for d in desa] + \
        [SelectChoice(OUTSIDE, _l("Saya dari luar kecamatan ini"))]
    return form


def _typed_nik_key() -> str:
    # Keyed like the stored hash, so the limiter's memory holds no NIK either.
    typed = "".join((request.form.get("nik") or "").split())[:40]
    key = current_app.config["DATA_KEY"].encode()
    return "nik:" + hmac.new(key, typed.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def _typed_phone_key() -> str:
    try:
        phone = normalise_phone(request.form.get("phone")) or "-"
    except ValueError:
        phone = "invalid"
    return "phone:" + phone


@bp.get("/booking/data")
def show_details():
    _draft, payload = load_booking()
    if (missing := _missing_step(payload, "details")) is not None:
        return missing
    office, _pool = _office_and_pool(payload)
    return render("citizen/booking/details.html", form=_details_form(office, payload), office=office,
                  has_nik=payload.has_nik, last4=payload.nik_last4,
                  outside_note=_(OUTSIDE_DOMICILE_NOTE),
                  needs_recording=SERVICES[payload.service].needs_recording)


@bp.post("/booking/data")
@limiter.limit(DETAILS_PER_ADDRESS)
@limiter.limit(DETAILS_PER_PERSON, key_func=_typed_nik_key)
@limiter.limit(DETAILS_PER_PERSON, key_func=_typed_phone_key,
               exempt_when=lambda: not (request.form.get("phone") or "").strip())
def save_details():
    draft, payload = load_booking()
    if (missing := _missing_step(payload, "details")) is not None:
        return missing
    office, _pool = _office_and_pool(payload)
    form = _details_form(office, payload, request.form)
    applicant = _applicant(form, office, payload.service) if form.validate() else None
    if applicant is None:
        return _private(render("citizen/booking/details.html", form=form, office=office, has_nik=False,
                               outside_note=_(OUTSIDE_DOMICILE_NOTE), status=422,
                               needs_recording=SERVICES[payload.service].needs_recording))
    payload.nik_hash, payload.nik_last4 = applicant.nik_hash, applicant.nik_last4
    payload.age_band, payload.may_record = applicant.age_band, applicant.may_record
    payload.name, payload.phone, payload.desa = applicant.name, applicant.phone, form.desa.data
    payload.needs = list(applicant.needs)
    return _saved(payload, draft, "booking.show_review")


def _applicant(form: DetailsForm, office: Office, service: str) -> bookings.Applicant | None:
    """The domain's one check of who books; its refusal goes onto the form's fields."""
    try:
        return bookings.validate_applicant(
            get_session(), office=office, service=service, nik=form.nik.data,
            name=form.name.data, key=current_app.config["DATA_KEY"].encode(),
            desa=form.desa.data, phone=form.phone.data, needs=form.needs.data or (),
            ever_married=bool(form.married.data), channel="web")
    except ValidationError as error:
        form.refuse(error)
    except bookings.BookingError as error:  # already booked: said here, not after the review
        form.nik.errors.append(messages.conflict_message(error.code))
    return None


# --- 6. review and confirm ----------------------------------------------------------------------


def _summary(payload: BookingDraft, office: Office) -> dict:
    slot = get_session().get(Slot, payload.slot)
    desa = get_session().get(Desa, payload.desa) if payload.desa != OUTSIDE else None
    return {
        "service": _(SERVICES[payload.service].name), "office": office,
        "day": _day_label(capacity.local(office, slot.starts_at).date()),
        "time": _time_label(office, slot), "name": payload.name,
        "nik": masked_nik(payload.nik_last4), "phone": payload.phone,
        "desa": desa.name if desa else None, "needs": payload.needs or [],
        "priority": bookings.is_priority(payload.age_band, payload.needs or []),
    }


def _review(payload: BookingDraft, office: Office, status: int = 200, problem=None):
    return render("citizen/booking/review.html", form=ConfirmForm(), summary=_summary(payload, office),
                  need_labels=NEED_LABELS, problem=problem, status=status)


@bp.get("/booking/periksa")
def show_review():
    _draft, payload = load_booking()
    if (missing := _missing_step(payload, "review")) is not None:
        return missing
    office, _pool = _office_and_pool(payload)
    return _review(payload, office)


def _draft_nik() -> str | None:
    _draft, payload = load_booking()
    return payload.nik_hash


@bp.post("/booking/periksa")
@limiter.limit(CONFIRM_PER_ADDRESS)
@limiter.limit(CONFIRM_PER_NIK, key_func=lambda: f"confirm-nik:{_draft_nik()}",
               exempt_when=lambda: _draft_nik() is None)
def confirm_booking():
    draft, payload = load_booking()
    if (missing := _missing_step(payload, "review")) is not None:
        return missing
    office, pool = _office_and_pool(payload)
    if not ConfirmForm().validate():
        return _review(payload, office, status=422)
    session = get_session()
    try:
        booked = bookings.book(
            session, office=office, slot_id=payload.slot, service=payload.service,
            applicant=_draft_applicant(payload), channel="web", actor="citizen",
            data_key=current_app.config["DATA_KEY"])
    except bookings.BookingError as error:
        session.rollback()
        if error.code == "already_booked":
            return _review(payload, office, status=409,
                           problem=messages.conflict_message(error.code))
        if error.code == "not_eligible":  # the NIK again says from which day they may
            payload.forget_nik()
            return _saved(payload, draft, "booking.show_details")
        return _slot_taken(draft, payload, office, pool)
    # What stays in the draft is only what the confirmation page shows: no NIK hash.
    done = BookingDraft(confirmed=booked.booking.code, token=booked.receipt.token)
    return _saved(done, draft, "booking.show_confirmed")


def _draft_applicant(payload: BookingDraft) -> bookings.Applicant:
    """Who books, as the details step's domain check left it in the draft."""
    return bookings.Applicant(
        nik_hash=payload.nik_hash, nik_last4=payload.nik_last4, age_band=payload.age_band,
        may_record=payload.may_record, name=payload.name, phone=payload.phone,
        desa_code=None if payload.desa == OUTSIDE else payload.desa, needs=tuple(payload.needs))


def _slot_taken(draft, payload: BookingDraft, office: Office, pool: str):
    """The place went while the person was typing: say so and offer the nearest free times."""
    taken = get_session().get(Slot, payload.slot)
    payload.slot = None
    response = _time_page(payload, office, _next_free(office, pool, taken), status=409,
                          taken=True)
    return store_booking(response, draft, payload)


# --- 7. confirmed -------------------------------------------------------------------------------


def _booking_facts(booking, office: Office) -> dict:
    slot = get_session().get(Slot, booking.slot_id)
    service = SERVICES[booking.service]
    return {"booking": booking, "office": office, "code": display_code(booking.code),
            "day": _day_label(capacity.local(office, slot.starts_at).date()),
            "time": _time_label(office, slot), "service": _(service.name),
            "bring": [(_(d.name), _(d.detail)) for d in checklist(booking.service)],
            "nik": masked_nik(booking.nik_last4), "free_note": _(FREE_NOTE)}


@bp.get("/booking/selesai")
def show_confirmed():
    _draft, payload = load_booking()
    booking = bookings.find_current(get_session(), payload.confirmed)
    if booking is None:
        return redirect(url_for("booking.show_service"), code=303)
    office = get_session().get(Office, booking.office_code)
    token = payload.token
    return render("citizen/booking/confirmed.html", **_booking_facts(booking, office),
                  receipt_path=f"/v/{token}/document" if token else None,
                  verify_path=f"/v/{token}" if token else None)


# --- manage: code + full NIK --------------------------------------------------------------------


def _granted(code: str | None):
    """The booking this browser proved (code + full NIK) it may manage, or None."""
    _draft, payload = _load(MANAGE_COOKIE, "manage")
    booking = bookings.find_current(get_session(), code)
    if booking is None or payload.get("code") != code or payload.get("one_time_code") or \
            not bookings.matches_nik(booking, payload.get("nik_hash") or ""):
        return None  # a browser still owing the one-time code (many wrong NIKs) is not in
    return booking


def _failed(response) -> bool:
    return response.status_code == 422 or bool(g.get("manage_refused"))


def _typed_code_key() -> str:
    code = normalise_code(request.form.get("code")) or request.view_args.get("code", "")
    return "manage-code:" + (normalise_code(code) or "invalid")


@bp.get("/booking/kelola")
def show_manage_start():
    return render("citizen/booking/manage_start.html", form=ManageForm())


@bp.get("/booking/<code>")
def show_manage(code: str):
    canonical = normalise_code(code)
    if canonical and canonical != code:
        return redirect(url_for("booking.show_manage", code=canonical), code=301)
    booking = _granted(canonical)
    if booking is None:
        return render("citizen/booking/manage_start.html", form=ManageForm(data={"code": code}))
    office = get_session().get(Office, booking.office_code)
    receipt = receipts.latest_receipt(get_session(), booking.id)
    attempts = manage_access.attempts_of(get_session(), booking.code)
    return render("citizen/booking/manage.html", **_booking_facts(booking, office),
                  attempts=attempts if attempts and attempts.failures else None,
                  last_failure=(_day_label(capacity.local(office, attempts.last_failure_at).date())
                                if attempts and attempts.last_failure_at else None),
                  receipt_path=f"/v/{receipt.token}/document" if receipt else None,
                  done=request.args.get("selesai"), can_change=booking.status == "booked",
                  status_label=STATUS_LABELS.get(booking.status, booking.status),
                  **card_stages(booking, office))


@bp.post("/booking/kelola")
@bp.post("/booking/<code>")
@limiter.limit(MANAGE_PER_ADDRESS, deduct_when=_failed)
@limiter.limit(MANAGE_PER_CODE, key_func=_typed_code_key, deduct_when=_failed)
def open_manage(code: str | None = None):
    form = ManageForm()
    if not form.validate():
        return _private(render("citizen/booking/manage_start.html", form=form, status=422))
    session = get_session()
    booking = bookings.find_current(session, form.code.data)
    try:
        hashed = nik_hash(form.nik.data, _data_key())
    except ValueError:
        hashed = ""
    matched = bookings.matches_nik(booking, hashed)
    draft, _payload = _load(MANAGE_COOKIE, "manage")
    if booking is not None and manage_access.needs_one_time_code(session, booking.code):
        return _past_the_limit(booking, hashed, matched, draft)
    if not matched:
        if booking is not None:
            manage_access.record_failure(session, booking)
            session.commit()
        form.code.errors.append(NO_MATCH)  # the same words for a wrong code or a wrong NIK
        return _private(render("citizen/booking/manage_start.html", form=form, status=422))
    return _saved({"code": booking.code, "nik_hash": booking.nik_hash}, draft,
                  "booking.show_manage", cookie=MANAGE_COOKIE, kind="manage", code=booking.code)


def _past_the_limit(booking, hashed: str, matched: bool, draft):
    """Past the limit a right NIK is not enough, and the answer must not tell a right NIK from
    a wrong one: both go to the one-time code page; only a right one sends a code."""
    session = get_session()
    if matched:
        manage_access.send_one_time_code(session, booking, _data_key())
    else:
        manage_access.record_failure(session, booking)
    g.manage_refused = True  # not in yet: counts against the limits like a failure
    return _saved({"code": booking.code, "nik_hash": hashed, "one_time_code": True},
                  draft, "booking.show_one_time_code", cookie=MANAGE_COOKIE, kind="manage",
                  code=booking.code)


def _data_key() -> bytes:
    return current_app.config["DATA_KEY"].encode()


def _owing_one_time_code(code: str) -> tuple[drafts.Draft | None, dict]:
    draft, payload = _load(MANAGE_COOKIE, "manage")
    if payload.get("code") != code or not payload.get("one_time_code"):
        return None, {}
    return draft, payload


@bp.get("/booking/<code>/kode")
def show_one_time_code(code: str):
    _draft, payload = _owing_one_time_code(code)
    if not payload:
        return redirect(url_for("booking.show_manage", code=code), code=303)
    return _private(render("citizen/booking/one_time_code.html", form=OneTimeCodeForm(),
                           code=display_code(code)))


@bp.post("/booking/<code>/kode")
@limiter.limit(ONE_TIME_CODE_PER_ADDRESS, deduct_when=_failed)
def check_one_time_code(code: str):
    draft, payload = _owing_one_time_code(code)
    if not payload:
        return redirect(url_for("booking.show_manage", code=code), code=303)
    form = OneTimeCodeForm()
    if form.validate():
        session = get_session()
        booking = bookings.find_current(session, code)
        right = manage_access.check_one_time_code(session, code, form.one_time_code.data,
                                                  _data_key())
        # The code alone is not enough either: the NIK typed before it must be the holder's.
        if right and bookings.matches_nik(booking, payload.get("nik_hash") or ""):
            return _saved({"code": booking.code, "nik_hash": booking.nik_hash}, draft,
                          "booking.show_manage", cookie=MANAGE_COOKIE, kind="manage",
                          code=booking.code)
        session.commit()  # the try is counted
        form.one_time_code.errors.append(ONE_TIME_CODE_WRONG)
    return _private(render("citizen/booking/one_time_code.html", form=form, code=display_code(code),
                           status=422))


def _lost_code_form(formdata=None) -> LostCodeForm:
    form = LostCodeForm(formdata=formdata)
    form.office.choices = [SelectChoice("", _l("— pilih —"))] + \
        [SelectChoice(o.code, o.name) for o in list_offices(get_session())]
    return form


@bp.get("/booking/lupa-kode")
def show_lost_code():
    return render("citizen/booking/lost_code.html", form=_lost_code_form(),
                  sent=bool(request.args.get("terkirim")))


@bp.post("/booking/lupa-kode")
@limiter.limit(LOST_CODE_PER_ADDRESS)
@limiter.limit(LOST_CODE_PER_NIK, key_func=lambda: "lost-" + _typed_nik_key())
def send_lost_code():
    """The code goes to the booking's phone, never to this page; the answer is the same
    whether or not the NIK has a booking at that office (DESIGN §3)."""
    form = _lost_code_form(request.form)
    if not form.validate():
        return _private(render("citizen/booking/lost_code.html", form=form, sent=False, status=422))
    session = get_session()
    manage_access.send_lost_code(session, nik_hash(form.nik.data, _data_key()),
                                 form.office.data)
    session.commit()
    return redirect(url_for("booking.show_lost_code", terkirim=1), code=303)


def _manageable(code: str):
    booking = _granted(normalise_code(code))
    if booking is None or booking.status != "booked":
        return None, None, redirect(url_for("booking.show_manage", code=code), code=303)
    return booking, get_session().get(Office, booking.office_code), None


@bp.get("/booking/<code>/ubah")
def show_reschedule(code: str):
    booking, office, away = _manageable(code)
    if away:
        return away
    pool = capacity.pool_for(booking.service)
    weeks = _calendar(office, pool)
    for week in weeks:
        week["label"] = _week_label(week)
    day = None
    if request.args.get("day"):
        try:
            day = date.fromisoformat(request.args["day"])
        except ValueError:
            day = None
    views = [v for v in _day_views(office, pool, day) if v.slot.id != booking.slot_id] \
        if day else []
    return render("citizen/booking/reschedule.html", block="reschedule_times" if day else None,
                  weeks=weeks, chosen_day=day, day_label=_day_label(day) if day else None,
                  times=[(v, _slot_label(office, v)) for v in views],
                  day_link=lambda d: url_for("booking.show_reschedule", code=booking.code,
                                             day=d.isoformat()),
                  **_booking_facts(booking, office))


@bp.get("/booking/<code>/ubah/<int(max=2147483647):slot_id>")
def show_reschedule_confirm(code: str, slot_id: int):
    booking, office, away = _manageable(code)
    if away:
        return away
    slot = get_session().get(Slot, slot_id)
    if slot is None or slot.office_code != office.code:
        return redirect(url_for("booking.show_reschedule", code=code), code=303)
    return render("citizen/booking/reschedule_confirm.html", form=ConfirmForm(), slot=slot,
                  new_day=_day_label(capacity.local(office, slot.starts_at).date()),
                  new_time=_time_label(office, slot), **_booking_facts(booking, office))


@bp.post("/booking/<code>/ubah/<int(max=2147483647):slot_id>")
def reschedule(code: str, slot_id: int):
    booking, office, away = _manageable(code)
    if away:
        return away
    session = get_session()
    try:
        successor = bookings.reschedule_booking(session, booking, slot_id, "citizen",
                                                office=office)
    except bookings.BookingError:
        session.rollback()
        return redirect(url_for("booking.show_reschedule", code=booking.code, penuh=1), code=303)
    _issue_receipt(session, successor)
    session.commit()
    return redirect(url_for("booking.show_manage", code=booking.code, selesai="ubah"), code=303)


@bp.get("/booking/<code>/batal")
def show_cancel(code: str):
    booking, office, away = _manageable(code)
    if away:
        return away
    return render("citizen/booking/cancel.html", form=ConfirmForm(), **_booking_facts(booking, office))


@bp.post("/booking/<code>/batal")
def cancel(code: str):
    booking, _office, away = _manageable(code)
    if away:
        return away
    session = get_session()
    try:
        bookings.cancel_booking(session, booking, "citizen")
    except bookings.BookingError:
        session.rollback()
    else:
        session.commit()
    return redirect(url_for("booking.show_manage", code=booking.code, selesai="batal"), code=303)


STATUS_LABELS = {
    "booked": _l("Terjadwal"), "checked_in": _l("Sudah datang"),
    "in_capture": _l("Sedang direkam"), "recorded": _l("Sudah direkam"),
    "card_ready": _l("Kartu siap diambil"), "collected": _l("Kartu sudah diambil"),
    "cancelled": _l("Dibatalkan"), "no_show": _l("Tidak datang"),
    # issue 13: a counter visit done at the desk; a record the central system refused
    "served": _l("Sudah dilayani di loket"), "central_rejected": _l("Ditolak sistem pusat"),
}
