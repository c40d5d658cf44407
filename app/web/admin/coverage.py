"""The coverage dashboard (issue 14): per desa what the yearly table says is left, and what
was booked and recorded since it was imported, ranked so the next outreach visit goes where
the gap is; a bar chart drawn on the server (SVG) beside the same figures as a table."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from ... import messages
from ...db import get_session
from ...domain import coverage
from ...domain.errors import ValidationError
from ..auth import current_user, guard
from ..rendering import render
from .outreach import admin_office
from .outreach_forms import CoverageForm

bp = Blueprint("admin_coverage", __name__, url_prefix="/admin")
guard(bp, "admin")
MAX_TABLE_BYTES = 500_000
PROBLEM_LABELS = {
    "inconsistent": _l("belum tidak sama dengan wajib − sudah"),
    "name_variant": _l("nama ditulis berbeda dari daftar wilayah; dicocokkan dengan"),
    "unknown_desa": _l("tidak ada desa dengan nama ini di daftar wilayah (tidak masuk "
                                "dasbor)"),
    "not_a_number": _l("bukan bilangan bulat di kolom"),
    "duplicate": _l("baris kedua untuk desa yang sama"),
}


def _dashboard(form: CoverageForm, status: int = 200, result=None):
    office = admin_office()
    made, lines, problems = coverage.dashboard(get_session(), office.code)
    return render("admin/coverage.html", form=form, office=office, made=made, lines=lines,
                  problems=problems, bars=coverage.chart_bars(lines), result=result,
                  problem_labels=PROBLEM_LABELS, status=status)


@bp.get("/cakupan")
def show_coverage():
    return _dashboard(CoverageForm())


@bp.post("/cakupan")
def import_coverage():
    form = CoverageForm()
    upload = request.files.get("file")
    raw = upload.read(MAX_TABLE_BYTES + 1) if upload else b""
    if not form.validate_on_submit() or not raw or len(raw) > MAX_TABLE_BYTES:
        form.file.errors = [*form.file.errors, messages.field_message("file", "required")]
        return _dashboard(form, status=422)
    try:
        result = coverage.import_table(
            get_session(), admin_office(), form.year_value() or 0,
            raw.decode("utf-8-sig", errors="replace"), actor=f"user:{current_user().id}",
            filename=upload.filename or "")
    except ValidationError as error:
        get_session().rollback()
        for field, words in messages.field_messages(error).items():
            form[field if field in ("year", "file") else "file"].errors.append(words)
        return _dashboard(form, status=422)
    get_session().commit()
    return _dashboard(CoverageForm(), result=result)
