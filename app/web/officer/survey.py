"""Survey slips at the counter (issue 17): the officer prints single-use survey codes for the
people served today — recorded, served or turned away alike. The codes are shown once, on this
answer only (no-store), and never written anywhere but the slip: the server keeps their hashes.

The kiosk and the check-out screen call the same `ikm.issue_survey_tokens` and show a code with
the `survey_slip` macro of templates/components/_survey_slip.html.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ...adapters.qr import qr_data_uri
from ...db import get_session
from ...domain import ikm
from ...domain.offices import list_offices
from ..auth import current_user, guard
from ..forms import ChosenFrom, PostForm, choices
from ..rendering import render

bp = Blueprint("officer_survey", __name__, url_prefix="/officer/survei")
guard(bp, "officer", "admin")

COUNTS = ("1", "2", "5", "10", "20")


class SlipForm(PostForm):
    office = SelectField(_l("Kantor"), validate_choice=False,
                         validators=[ChosenFrom(_l("Pilih kantor."))])
    count = SelectField(_l("Berapa lembar?"), choices=choices(COUNTS, COUNTS), default="1",
                        validate_choice=False,
                        validators=[ChosenFrom(_l("Pilih jumlah lembar."))])


def slip_form() -> SlipForm:
    form = SlipForm()
    user = current_user()
    offices = [o for o in list_offices(get_session()) if user.office_code in (None, o.code)]
    form.office.choices = choices([o.code for o in offices], [o.name for o in offices])
    if user.office_code:
        form.office.data = user.office_code  # an officer prints for their own office only
    return form


def survey_slip_context(tokens: list[str]) -> list[dict]:
    """What a slip shows: the code grouped for typing, and a QR of the survey address."""
    base = current_app.config["BASE_URL"]
    return [{"code": ikm.display_token(t), "url": f"{base}/survei",
             "qr": qr_data_uri(f"{base}/survei?kode={t}", box_size=4)} for t in tokens]


@bp.get("/")
def show_survey_slips():
    return render("officer/survey.html", form=slip_form(), slips=None)


@bp.post("/")
def print_survey_slips():
    form = slip_form()
    if not form.validate():
        return render("officer/survey.html", form=form, slips=None, status=422)
    session = get_session()
    tokens = ikm.issue_survey_tokens(session, form.office.data, int(form.count.data))
    session.commit()
    response = render("officer/survey.html", form=slip_form(), slips=survey_slip_context(tokens))
    response.headers["Cache-Control"] = "no-store"  # the codes are shown once, never kept
    return response
