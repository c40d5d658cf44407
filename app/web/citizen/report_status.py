"""/lapor/{reference} (DESIGN §5, issue 15): the reporter reads their report's status and the
answer with the reference and the PIN given at reporting — anonymously, no sign-in.

A wrong PIN and an unknown reference answer the same words, and guesses are throttled per
reference and per address in the shared rate-limit store (app/adapters/ratelimit_store.py
behind Flask-Limiter): a 6-digit PIN cannot be walked.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ...db import get_session
from ...domain import inbox
from ...extensions import limiter
from ..forms import PostForm
from ..rendering import render

bp = Blueprint("report_status", __name__)

PIN_PER_REFERENCE = "5 per 15 minutes"
PIN_PER_ADDRESS = "20 per hour"
NO_MATCH = _l("Nomor laporan atau PIN tidak cocok. Periksa lagi catatan Anda.")


class PinForm(PostForm):
    pin = StringField(_l("PIN"), validators=[InputRequired(_l("Tulis PIN 6 angka dari saat "
                                                                "Anda melapor.")),
                                              Length(max=20, message=NO_MATCH)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off",
                                 "class": "input-short"})


def _failed(response) -> bool:
    return response.status_code == 422


def _reference_key() -> str:
    return "report-pin:" + (request.view_args or {}).get("reference", "")[:20].upper()


def _page(reference, form, report=None, status=200):
    response = render("citizen/guidance/report_status.html", reference=reference.upper(),
                      form=form, report=report, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/lapor/<reference>")
def show_report_status(reference):
    return _page(reference[:20], PinForm(formdata=None))


@bp.post("/lapor/<reference>")
@limiter.limit(PIN_PER_REFERENCE, key_func=_reference_key, deduct_when=_failed)
@limiter.limit(PIN_PER_ADDRESS, deduct_when=_failed)
def check_report_status(reference):
    form = PinForm()
    if not form.validate_on_submit():
        return _page(reference[:20], form, status=422)
    report = inbox.report_for_reporter(get_session(), reference, form.pin.data,
                                       current_app.config["DATA_KEY"].encode())
    if report is None:
        form.pin.errors = [NO_MATCH]
        return _page(reference[:20], form, status=422)
    return _page(reference[:20], PinForm(formdata=None), report=report)
