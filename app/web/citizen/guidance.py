"""The requirement wizard and accessible guidance: "what do I need, and what will happen?"

Field studies: citizens arrive without the right papers and must come back; elderly, disabled
and low-literacy residents cannot follow the procedure alone; money is asked when the card is
picked up.
So every page here works without JavaScript (the wizard's state is in the query string, so Back
always works), says that the service is free, and links to /lapor.

Pages: /syarat (choose a service), /syarat/tidak-yakin (not sure: one question per screen),
/syarat/<service> (personalised checklist, optional NIK check), /syarat/<service>.pdf,
/panduan[/<step>] (what happens at the recording), /bantuan (needs carried into booking),
/kunjungan-rumah (home-visit request), /lapor (anonymous misconduct report).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from ...adapters.pdf import render_pdf
from ...db import get_session
from ...domain import checklist as checklist_rules
from ...domain import inbox, reports
from ...domain.checklist import ChecklistAnswers, NikResult, answers_after_nik, checklist_view
from ...domain.errors import ValidationError
from ...domain.guidance import STEPS, get_step
from ...domain.nik import today_in
from ...domain.offices import desa_by_office, list_offices
from ...domain.services import (
    FREE_NOTE,
    NONE_RESULT,
    NONE_RESULT_TEXT,
    QUESTIONS,
    SERVICES,
    answered_path,
    get_service,
    next_step,
    step_number,
    total_steps,
)
from ...extensions import csrf, htmx, limiter
from ...formatting import local_date, time_range, weekday_names, zone_name
from ...models import HomeVisitRequest, MisconductReport, Office, OpeningHours
from ..drafts import load_booking, store_booking
from ..forms import NEED_LABELS, NIK_MESSAGES
from ..rendering import cached_page, render
from .guidance_forms import (
    NEED_PICTOGRAMS,
    NEEDS,
    HomeVisitForm,
    NeedsForm,
    NikCheckForm,
    PemulaQuestionsForm,
    ReportForm,
    TickForm,
    question_form,
)

bp = Blueprint("guidance", __name__)

SERVICE_RULE = "any(" + ", ".join(SERVICES) + "):service"
ANSWER_MISSING = _l("Pilih salah satu jawaban.")


@bp.context_processor
def guidance_context():
    return {"free_note": FREE_NOTE}


def current_lang() -> str:
    return str(get_locale() or "id")


def _fragment_block(name: str) -> str | None:
    """The block to answer an htmx request with; a history restore needs the whole page."""
    return None if htmx.history_restore_request else name


def _stored(response) -> bool:
    """Rate limits count stored submissions (a redirect), not forms sent back with errors."""
    return response.status_code == 303


def _cached_unless_htmx(view):
    """The same for every anonymous visitor, so served from the page cache for a minute; an
    htmx request (a fragment, whose focus depends on HX-Trigger) is always rendered."""
    cached = cached_page(view)

    @functools.wraps(view)
    def dispatch(*args, **kwargs):
        return view(*args, **kwargs) if htmx else cached(*args, **kwargs)

    return dispatch


def _service_or_none(code: str | None) -> str | None:
    return code if code in SERVICES else None


# --- /syarat: choose a service ---------------------------------------------------------------


@bp.get("/syarat")
@_cached_unless_htmx
def show_requirements():
    return render("citizen/guidance/requirements.html", services=list(SERVICES.values()))


@bp.get("/syarat/tidak-yakin")
@_cached_unless_htmx
def show_not_sure():
    """One plain question per screen; every answer so far is in the URL."""
    answers = {code: value for code, value in request.args.items()
               if code in QUESTIONS and value in dict(QUESTIONS[code].choices)}
    step = next_step(answers)
    path = answered_path(answers)
    if isinstance(step, str) and step != NONE_RESULT:
        return redirect(url_for(".show_checklist", service=step), code=303)
    back = (url_for(".show_not_sure", **{q.code: a for q, a in path[:-1]}) if path
            else url_for(".show_requirements"))
    carried = [(q.code, a) for q, a in path]
    if step == NONE_RESULT:
        return render("citizen/guidance/not_sure.html", result_text=NONE_RESULT_TEXT, back=back,
                      carried=carried, form=None, question=None)
    form = question_form(step.code, _(step.text),
                         [(value, _(text)) for value, text in step.choices], None)
    status = 200
    if request.args.get("q") == step.code:  # the question was sent without an answer
        form[step.code].errors = [ANSWER_MISSING]
        status = 422
    return render("citizen/guidance/not_sure.html", status=status, form=form, question=step,
                  carried=carried, back=back, step=step_number(answers),
                  steps=total_steps(answers), result_text=None)


# --- /syarat/<service>: the personalised checklist -----------------------------------------


@bp.get(f"/syarat/<{SERVICE_RULE}>")
@_cached_unless_htmx
def show_checklist(service: str):
    answers = ChecklistAnswers.from_mapping(service, request.args)
    pending = answers.pending(service)
    answer_missing = pending is not None and request.args.get("q") == pending
    return _render_checklist(service, answers, answer_missing=answer_missing,
                             status=422 if answer_missing else 200)


# The one form without a CSRF token (SECURITY.md V5): it changes and stores nothing, and a
# per-visitor token would keep the checklist page out of the page cache.
@bp.post("/syarat/pemula")
@csrf.exempt
def check_nik():
    """Optional eligibility check by NIK (DESIGN §3): never stored or logged, POST only."""
    service = "pemula"
    answers = ChecklistAnswers.from_mapping(service, request.args)
    form = NikCheckForm()
    if not form.validate():
        return _render_checklist(service, answers, nik_form=form, status=422)
    try:  # before an office is chosen, ages are taken in Asia/Jakarta
        result = checklist_rules.check_nik(form.nik.data, today_in(), stated_birth_date=form.birth_date.data,
                           ever_married=form.ever_married.data == "yes")
    except ValidationError as error:
        form.nik.errors.append(NIK_MESSAGES[error.errors["nik"]])
        return _render_checklist(service, answers, nik_form=form, status=422)
    form.nik.data = ""  # the whole NIK is not echoed back into the page
    answers = answers_after_nik(answers, result, form.ever_married.data)
    return _render_checklist(service, answers, nik_form=form, nik_result=result)


def _render_checklist(service: str, answers: ChecklistAnswers, *, nik_form=None,
                      nik_result: NikResult | None = None, answer_missing: bool = False,
                      status: int = 200):
    lang = current_lang()
    view = checklist_view(service, answers)
    pending = answers.pending(service)
    questions = PemulaQuestionsForm(data={"adult": answers.adult, "married": answers.married})
    if answer_missing:
        questions[pending].errors = [ANSWER_MISSING]
    ticks = TickForm(data={"have": list(answers.have)})
    ticks.have.choices = [(doc.code, _(doc.name)) for doc in view.documents]
    if service == "pemula" and nik_form is None:
        nik_form = NikCheckForm(data={"ever_married": answers.married or "no"})
    response = render(
        "citizen/guidance/checklist.html", block=_fragment_block("checklist"), status=status,
        view=view, service=view.service, answers=answers, pending=pending,
        questions=questions, ticks=ticks, nik_form=nik_form, nik_result=nik_result,
        free_note=FREE_NOTE, offices=office_listing(get_session(), lang),
        query=answers.query(), query_without_ticks=answers.query(ticks=False),
        # After an answer swapped in by htmx, focus goes to what changed.
        focus_after_answer=request.headers.get("HX-Trigger") == "checklist-question",
    )
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"  # the answer shows a birth date
    return response


@bp.get(f"/syarat/<{SERVICE_RULE}>.pdf")
def checklist_pdf(service: str):
    answers = ChecklistAnswers.from_mapping(service, request.args)
    pdf = render_checklist_pdf(get_session(), service, current_lang(), answers)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="syarat-{service}.pdf"'
    response.vary.add("Cookie")  # the language may come from the cookie
    return response


def render_checklist_pdf(session: Session, service_code: str, lang: str,
                         answers: ChecklistAnswers | Mapping | None = None) -> bytes:
    """The printable A4 checklist desa staff hand out. A plain function (the bench times it);
    needs an application context."""
    if not isinstance(answers, ChecklistAnswers):
        answers = ChecklistAnswers.from_mapping(service_code, answers)
    view = checklist_view(service_code, answers)
    with force_locale(lang):
        html = current_app.jinja_env.get_template("citizen/guidance/checklist_pdf.html").render(
            view=view, service=view.service, answers=answers, lang=lang, free_note=FREE_NOTE,
            offices=office_listing(session, lang), base_url=current_app.config["BASE_URL"],
            printed_on=local_date(today_in(), lang))
    return render_pdf(html, Path(current_app.static_folder).as_uri() + "/")


@dataclass(frozen=True)
class OfficeInfo:
    code: str
    name: str
    address: str
    is_demo: bool
    hours: tuple[str, ...]  # "Senin–Jumat: 08.00–16.00 WIB"


def office_listing(session: Session, lang: str) -> list[OfficeInfo]:
    """Offices with their weekly hours in words, consecutive days with equal hours joined."""
    rows = session.exec(select(OpeningHours).order_by(
        OpeningHours.office_code, OpeningHours.weekday, OpeningHours.opens)).all()
    periods: dict[str, dict[int, list[str]]] = {}
    for row in rows:
        text = time_range(row.opens, row.closes, lang)
        periods.setdefault(row.office_code, {}).setdefault(row.weekday, []).append(text)
    day_names = weekday_names(lang)
    listing = []
    for office in list_offices(session):
        zone = zone_name(office.timezone)
        lines, days = [], sorted(periods.get(office.code, {}).items())
        i = 0
        while i < len(days):
            j = i
            while (j + 1 < len(days) and days[j + 1][1] == days[i][1]
                   and days[j + 1][0] == days[j][0] + 1):
                j += 1
            label = day_names[days[i][0]]
            if j > i:
                label += "–" + day_names[days[j][0]]
            lines.append(f"{label}: {', '.join(days[i][1])} {zone}")
            i = j + 1
        listing.append(OfficeInfo(office.code, office.name, office.address, office.is_demo,
                                  tuple(lines)))
    return listing


# --- what happens at the recording -----------------------------------------------------------


@bp.get("/panduan")
@_cached_unless_htmx
def show_guidance():
    return render("citizen/guidance/guidance_index.html", steps=STEPS)


@bp.get("/panduan/<slug>")
@_cached_unless_htmx
def show_guidance_step(slug: str):
    try:
        step = get_step(slug)
    except KeyError:
        abort(404)
    index = STEPS.index(step)
    return render("citizen/guidance/guidance_step.html", step=step, number=index + 1, count=len(STEPS),
                  previous=STEPS[index - 1] if index > 0 else None,
                  following=STEPS[index + 1] if index + 1 < len(STEPS) else None)


# --- "Saya perlu bantuan": needs carried into booking ---------------------------------------


def _draft_needs() -> list[str] | None:
    """The needs kept in the booking draft (the booking flow pre-ticks them), or None."""
    draft, payload = load_booking()
    return None if draft is None else [n for n in payload.needs if n in NEEDS]


def _needs_page(form: NeedsForm, *, saved=None, status: int = 200):
    service = _service_or_none(form.service.data)
    return render("citizen/guidance/needs.html", status=status, form=form, saved=saved,
                  service=get_service(service) if service else None,
                  need_labels=NEED_LABELS, need_pictograms=NEED_PICTOGRAMS,
                  free_note=FREE_NOTE)


@bp.get("/bantuan")
def show_needs():
    stored = _draft_needs()
    form = NeedsForm(data={"needs": stored or [],
                           "service": _service_or_none(request.args.get("layanan")) or ""})
    saved = stored if request.args.get("tersimpan") and stored is not None else None
    return _needs_page(form, saved=saved)


@bp.post("/bantuan")
def save_needs():
    form = NeedsForm()
    if not form.validate():
        return _needs_page(form, status=422)
    draft, payload = load_booking()  # created if missing; its other answers kept
    payload.needs = [n for n in NEEDS if n in form.needs.data]
    service = _service_or_none(form.service.data)
    if "cannot_leave_home" in payload.needs:
        target = url_for(".show_home_visit_form", layanan=service)
    else:
        target = url_for(".show_needs", layanan=service, tersimpan=1)
    return store_booking(redirect(target, code=303), draft, payload)


# --- home-visit request ----------------------------------------------------------------------


def _home_visit_choices(form: HomeVisitForm, session: Session, lang: str) -> None:
    offices = {office.code: office.name for office in list_offices(session)}
    form.desa.choices = {None: [("", _l("Pilih desa atau kelurahan"))]} | {
        offices[code]: [(d.code, d.name) for d in desa] for code, desa in
        desa_by_office(session).items() if code in offices}
    form.service.choices = [(s.code, _(s.name)) for s in SERVICES.values()]


def _home_visit_page(form: HomeVisitForm, status: int = 200):
    return render("citizen/guidance/home_visit.html", status=status, form=form, free_note=FREE_NOTE)


@bp.get("/kunjungan-rumah")
def show_home_visit_form():
    form = HomeVisitForm(data={"service": _service_or_none(request.args.get("layanan"))})
    _home_visit_choices(form, get_session(), current_lang())
    form.ensure_submission_id()
    return _home_visit_page(form)


@bp.post("/kunjungan-rumah")
@limiter.limit("10 per hour", deduct_when=_stored)
def request_home_visit():
    session = get_session()
    form = HomeVisitForm()
    _home_visit_choices(form, session, current_lang())
    submission_id = form.ensure_submission_id()
    if not form.validate():
        return _home_visit_page(form, status=422)
    stored = reports.request_home_visit(
        session, submission_id=submission_id, desa_code=form.desa.data, name=form.name.data,
        phone=form.phone.data, requester=form.requester.data, service=form.service.data,
        details=form.details.data or "")
    session.commit()
    return redirect(url_for(".show_home_visit_sent", nomor=stored.reference), code=303)


@bp.get("/kunjungan-rumah/terkirim")
def show_home_visit_sent():
    session = get_session()
    record = reports.find_by_reference(session, HomeVisitRequest, request.args.get("nomor"))
    if record is None:
        abort(404)
    return render("citizen/guidance/home_visit_sent.html", reference=record.reference,
                  office=session.get(Office, record.office_code))


# --- /lapor: report a request for money or other misconduct, anonymously --------------------


def _report_choices(form: ReportForm, session: Session) -> None:
    form.office.choices = [("", _l("Pilih kecamatan"))] + [
        (office.code, office.name) for office in list_offices(session)]


def _report_page(form: ReportForm, status: int = 200):
    return render("citizen/guidance/report.html", status=status, form=form, free_note=FREE_NOTE)


@bp.get("/lapor")
def show_report_form():
    form = ReportForm()
    _report_choices(form, get_session())
    form.ensure_submission_id()
    return _report_page(form)


@bp.post("/lapor")
@limiter.limit("5 per hour", deduct_when=_stored)
def submit_report():
    session = get_session()
    form = ReportForm()
    _report_choices(form, session)
    submission_id = form.ensure_submission_id()
    if not form.validate():
        return _report_page(form, status=422)
    stored = reports.submit_misconduct_report(
        session, submission_id=submission_id, office_code=form.office.data,
        event_date=form.event_date.data, kind=form.kind.data,
        description=form.description.data, contact=form.contact.data or "",
        place=form.place.data)
    # issue 15 (F): the PIN to read the answer at /lapor/{reference}; shown once on the next
    # page (kept in the session for that one hop, never in the URL), only its hash is stored.
    flask_session["report_pin"] = {"reference": stored.reference, "pin": inbox.attach_pin(
        session, stored.record, current_app.config["DATA_KEY"].encode())}
    session.commit()
    return redirect(url_for(".show_report_sent", nomor=stored.reference), code=303)


@bp.get("/lapor/terkirim")
def show_report_sent():
    record = reports.find_by_reference(get_session(), MisconductReport,
                                       request.args.get("nomor"))
    if record is None:
        abort(404)
    kept = flask_session.pop("report_pin", None) or {}
    pin = kept.get("pin") if kept.get("reference") == record.reference else None
    response = render("citizen/guidance/report_sent.html", reference=record.reference, pin=pin)
    response.headers["Cache-Control"] = "no-store"
    return response
