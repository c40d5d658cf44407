"""The admin's outreach visits (issue 14): plan one (it becomes bookable capacity of its own),
follow it, write its report ("Laporan Kegiatan Perekaman Keliling") and move its no-shows to
the desa's next visit."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from sqlmodel import select
from wtforms import SelectChoice

from ... import messages
from ...db import get_session
from ...domain import outreach, staff
from ...domain.errors import ValidationError
from ...models import Desa, Office
from ...outreach_documents import PLACE_KINDS, report_pdf
from ..auth import current_user, guard
from ..rendering import render
from ..staff.forms import STATUS_LABELS
from .outreach_forms import ABSENCE_LABELS, AbsenceForm, MoveForm, PlanForm

bp = Blueprint("admin_outreach", __name__, url_prefix="/admin")
guard(bp, "admin")


def admin_office() -> Office:
    """The admin's office; an admin of all offices picks one with `?kantor=` (default the
    first)."""
    user, session = current_user(), get_session()
    code = user.office_code or request.args.get("kantor")
    office = session.get(Office, code) if code else session.exec(
        select(Office).order_by(Office.code)).first()
    if office is None:
        abort(404)
    return office


def _visit(visit_id: int):
    try:
        visit = staff.visit_of_desa(get_session(), None, visit_id)
    except staff.NotInDesa:
        abort(404)
    if current_user().office_code not in (None, visit.office_code):
        abort(403)
    return visit


def _plan_page(form: PlanForm, status: int = 200):
    office = admin_office()
    desas = get_session().exec(select(Desa).where(Desa.office_code == office.code)
                               .order_by(Desa.name)).all()
    form.desa_code.choices = [SelectChoice("", "—"), *(SelectChoice(d.code, d.name) for d in desas)]
    return render("admin/outreach.html", form=form, office=office, status=status,
                  desa_names={d.code: d.name for d in desas}, place_kinds=PLACE_KINDS,
                  visits=outreach.list_visits(get_session(), office_code=office.code))


@bp.get("/keliling")
def list_outreach():
    return _plan_page(PlanForm())


@bp.post("/keliling")
def plan_outreach():
    form = PlanForm()
    _plan_page(form)  # fills the desa choices the form is checked against
    if form.validate_on_submit():
        try:
            visit = outreach.plan_visit(get_session(), office=admin_office(), **form.values(),
                                        actor=f"user:{current_user().id}")
        except ValidationError as error:
            form.refuse(messages.field_messages(error))
        else:
            get_session().commit()
            return redirect(url_for("admin_outreach.show_outreach", visit_id=visit.id),
                            code=303)
    return _plan_page(form, status=422)


def _visit_page(visit, status: int = 200, **extra):
    session = get_session()
    return render("admin/outreach_visit.html", visit=visit, status=status,
                  office=session.get(Office, visit.office_code),
                  desa=session.get(Desa, visit.desa_code), place_kinds=PLACE_KINDS,
                  people=outreach.invited(session, visit), status_labels=STATUS_LABELS,
                  report=outreach.visit_report(session, visit), absence_labels=ABSENCE_LABELS,
                  absence_form=AbsenceForm(), move_form=MoveForm(),
                  following=outreach.next_visit(session, visit), **extra)


@bp.get("/keliling/<int:visit_id>")
def show_outreach(visit_id: int):
    return _visit_page(_visit(visit_id))


@bp.post("/keliling/<int:visit_id>/alasan/<code>")
def record_absence(visit_id: int, code: str):
    visit, form = _visit(visit_id), AbsenceForm()
    if not form.validate_on_submit():
        return _visit_page(visit, status=422, absence_error=code)
    try:
        outreach.record_absence(get_session(), visit, code, form.absence_reason.data,
                                actor=f"user:{current_user().id}")
    except ValidationError:
        abort(404)
    get_session().commit()
    return redirect(url_for("admin_outreach.show_outreach", visit_id=visit.id) + f"#u-{code}",
                    code=303)


@bp.post("/keliling/<int:visit_id>/pindahkan")
def move_no_shows(visit_id: int):
    visit = _visit(visit_id)
    target = outreach.next_visit(get_session(), visit)
    if not MoveForm().validate_on_submit() or target is None:
        return _visit_page(visit, status=422, move_error=True)
    moved = outreach.move_no_shows(get_session(), visit, target,
                                   data_key=current_app.config["DATA_KEY"],
                                   actor=f"user:{current_user().id}")
    get_session().commit()
    return _visit_page(visit, moved=moved, target=target)


@bp.get("/keliling/<int:visit_id>/laporan.pdf")
def outreach_report_pdf(visit_id: int):
    visit = _visit(visit_id)
    return Response(report_pdf(get_session(), visit), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="laporan-keliling-{visit.id}.pdf"',
        "Cache-Control": "no-store"})
