"""The IKM report for the admin (issue 17): per office per month, quarter or year — element
means, index, grade, responses with the sample-size warning, SERVQUAL gaps — and beside it what
drives it (waiting and service time, no-shows, stations, complaints). The same report as the
PDF offices publish, and as CSV and XLSX.

Pages: /admin/ikm (?kantor=&periode=bulan|triwulan|tahun&tahun=&ke=), /admin/ikm/laporan.pdf,
/admin/ikm/laporan.csv, /admin/ikm/laporan.xlsx with the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ...adapters.pdf import render_pdf
from ...adapters.spreadsheet import csv_bytes, xlsx_bytes
from ...db import get_session
from ...domain import ikm, ikm_drivers
from ...domain.ikm import month_of
from ...domain.offices import list_offices
from ...models import Office
from ..auth import current_user, guard
from ..citizen.survey import configured_elements
from ..forms import Form, choices
from ..rendering import render

bp = Blueprint("admin_ikm", __name__, url_prefix="/admin/ikm")
guard(bp, "admin")

KINDS = {"bulan": "month", "triwulan": "quarter", "tahun": "year"}


class PeriodForm(Form):
    """A GET form: the report's address is its query, so it can be bookmarked and shared."""

    kantor = SelectField(_l("Kantor"), validate_choice=False)
    periode = SelectField(_l("Periode"), choices=choices(
        list(KINDS), [_l("Bulan"), _l("Triwulan"), _l("Tahun")]), default="bulan")
    tahun = SelectField(_l("Tahun"), validate_choice=False)
    ke = SelectField(_l("Bulan atau triwulan ke-"), validate_choice=False,
                     choices=choices([str(n) for n in range(1, 13)],
                                     [str(n) for n in range(1, 13)]))


@dataclass
class Chosen:
    form: PeriodForm
    office: Office
    period: ikm.Period


def _offices() -> list[Office]:
    user = current_user()
    offices = list_offices(get_session())
    # An admin of one office reads that office only; an admin of none reads every office.
    return [o for o in offices if user.office_code in (None, o.code)]


def chosen() -> Chosen:
    """The office and period asked for (default: this month of the first office), or 404."""
    offices = _offices()
    form = PeriodForm(request.args)
    form.kantor.choices = choices([o.code for o in offices], [o.name for o in offices])
    office = next((o for o in offices if o.code == (form.kantor.data or offices[0].code)), None)
    if office is None:
        abort(404)
    today = month_of(datetime.now(UTC), office.timezone)
    years = [str(y) for y in range(today.year, today.year - 6, -1)]
    form.tahun.choices = choices(years, years)
    try:
        year = int(form.tahun.data or today.year)
        kind = KINDS.get(form.periode.data or "bulan", "")
        number = 1 if kind == "year" else int(form.ke.data or (
            today.month if kind == "month" else (today.month + 2) // 3))
        period = ikm.Period(kind, year, number)
    except ValueError:
        abort(404)
    form.kantor.data, form.tahun.data, form.ke.data = office.code, str(year), str(number)
    return Chosen(form, office, period)


def _report(choice: Chosen) -> ikm.IndexReport:
    return ikm.index_report(get_session(), choice.office.code, choice.period,
                            configured_elements())


def _names(report: ikm.IndexReport) -> dict[str, str]:
    return {e.code: _(e.name) for e in report.elements}


def _filename(choice: Chosen, ext: str) -> str:
    return f"ikm-{choice.office.code}-{choice.period.slug}.{ext}"


def _download(body: bytes, mimetype: str, filename: str, disposition: str = "attachment"):
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def show_ikm_report():
    choice = chosen()
    report = _report(choice)
    figures = ikm_drivers.drivers(get_session(), choice.office.code, choice.period)
    return render("admin/ikm.html", form=choice.form, office=choice.office, report=report,
                  drivers=figures, query=request.args.to_dict())


@bp.get("/laporan.pdf")
def ikm_report_pdf():
    choice = chosen()
    html = render_template("admin/ikm_pdf.html", office=choice.office, report=_report(choice),
                           printed=datetime.now(UTC))
    pdf = render_pdf(html, Path(current_app.static_folder).as_uri() + "/")
    return _download(pdf, "application/pdf", _filename(choice, "pdf"), "inline")


@bp.get("/laporan.csv")
def ikm_report_csv():
    choice = chosen()
    report = _report(choice)
    return _download(csv_bytes(ikm.report_table(report, _names(report))),
                     "text/csv; charset=utf-8", _filename(choice, "csv"))


@bp.get("/laporan.xlsx")
def ikm_report_xlsx():
    choice = chosen()
    report = _report(choice)
    body = xlsx_bytes(f"IKM {choice.period.slug}", ikm.report_table(report, _names(report)))
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     _filename(choice, "xlsx"))
