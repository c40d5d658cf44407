"""The satisfaction survey and the public IKM summary (issue 17; contract addition to DESIGN §5).

`/survei` takes the token from the slip (typed, or `?kode=` from its QR) and shows the
questions; `POST /survei` stores one answer and spends the token; `/survei/terima-kasih`
thanks; `/ikm/{office}` is the summary an office must display. Anonymous: no name, no booking,
no cookie beyond the CSRF one. Works without JavaScript (plain GET and POST forms).
"""

from __future__ import annotations

from babel.dates import format_skeleton
from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...db import get_session
from ...domain import ikm
from ...domain.offices import get_office
from ...extensions import limiter
from ..rendering import render
from .survey_forms import TokenForm, answers_of, survey_form

bp = Blueprint("survey", __name__)

REFUSALS = {
    "unknown": _l("Kode ini tidak kami kenal. Periksa lagi kode pada kertas survei Anda: "
                  "12 huruf dan angka."),
    "used": _l("Kode ini sudah dipakai untuk menjawab survei. Satu kode hanya untuk satu "
               "jawaban, dan jawaban pertama sudah kami catat. Terima kasih."),
    "expired": _l("Kode ini sudah terlalu lama. Kode survei berlaku sampai akhir bulan "
                  "berikutnya setelah kunjungan Anda."),
}
STATUS = {"unknown": 422, "expired": 422, "used": 409}


def configured_elements() -> tuple[str, ...]:
    return ikm.element_list(current_app.config.get("IKM_ELEMENTS"))


def _refused_guess(response) -> bool:
    """Only unknown codes count against the address: guessing is what the limit stops."""
    return request.environ.get("rekam.survey_refusal") == "unknown"


def _token_page(form: TokenForm, refusal: str | None = None):
    if refusal:
        request.environ["rekam.survey_refusal"] = refusal
        form.kode.errors = [REFUSALS[refusal]]
    return render("citizen/survey/token.html", status=STATUS.get(refusal, 200), form=form,
                  refusal=refusal)


def _questions_page(form, office, status: int = 200):
    return render("citizen/survey/questions.html", status=status, form=form, office=office,
                  elements=[ikm.ELEMENTS[c] for c in configured_elements()],
                  dimensions=list(ikm.DIMENSIONS.values()))


@bp.get("/survei")
@limiter.limit("30 per hour", deduct_when=_refused_guess)
def show_survey():
    form = TokenForm(request.args)
    if not request.args.get("kode"):
        return _token_page(form)
    session = get_session()
    check = ikm.check_token(session, form.kode.data)
    if check.state != "ok":
        return _token_page(form, check.state)
    questions = survey_form(configured_elements(), formdata=None)
    questions.kode.data = ikm.normalise_token(form.kode.data)
    return _questions_page(questions, get_office(session, check.office_code))


@bp.post("/survei")
@limiter.limit("30 per hour", deduct_when=_refused_guess)
def answer_survey():
    session, elements = get_session(), configured_elements()
    form = survey_form(elements)
    check = ikm.check_token(session, form.kode.data)
    if check.state != "ok":
        return _token_page(TokenForm(data={"kode": form.kode.data}), check.state)
    if not form.validate():
        return _questions_page(form, get_office(session, check.office_code), status=422)
    answers, servqual = answers_of(form, elements)
    try:
        ikm.submit_response(session, form.kode.data, answers, elements=elements,
                            servqual=servqual, suggestion=form.saran.data or "")
    except ikm.SurveyError as error:  # the same token answered a moment ago elsewhere
        session.rollback()
        return _token_page(TokenForm(data={"kode": form.kode.data}), error.code)
    session.commit()
    return redirect(url_for(".show_thanks", kantor=check.office_code), code=303)


@bp.get("/survei/terima-kasih")
def show_thanks():
    office = get_office(get_session(), request.args.get("kantor", ""))
    return render("citizen/survey/thanks.html", office=office)


@bp.get("/ikm/<office_code>")
def show_public_summary(office_code):
    session = get_session()
    office = get_office(session, office_code)
    if office is None:
        abort(404)
    summary = ikm.public_summary(session, office.code, configured_elements())
    response = render("citizen/survey/summary.html", office=office, summary=summary)
    response.headers["Cache-Control"] = "no-cache"
    return response


def ikm_number(value, places: int = 2) -> str:
    """A figure of the index, rounded half up only here, for display; a comma in Indonesian."""
    if value is None:
        return "–"
    shown = str(ikm.round_half_up(value, places))
    return shown.replace(".", ",") if str(get_locale() or "id") == "id" else shown


def ikm_period(period: ikm.Period) -> str:
    """Desember 2026 / Triwulan 4 2026 / Tahun 2026, in the person's language."""
    if period.kind == "month":
        return format_skeleton("yMMMM", period.start, locale=str(get_locale() or "id"))
    if period.kind == "quarter":
        return _("Triwulan %(number)d %(year)d", number=period.number, year=period.year)
    return _("Tahun %(year)d", year=period.year)


def _install(state) -> None:
    # The survey, the admin report, its PDF and the public page write figures the same way.
    state.app.add_template_global(ikm_number, "ikm_number")
    state.app.add_template_global(ikm.GRADE_NAMES, "ikm_grade_names")
    state.app.add_template_global(ikm_period, "ikm_period")


bp.record_once(_install)
