"""Desa staff and outreach visits: fill a visit (a CSV file or one by one on the booking page),
print its invitations and sign-in sheet, and note who handed each invitation over."""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, request, url_for

from ... import messages
from ...db import get_session
from ...domain import outreach, staff
from ...domain.errors import ValidationError
from ...models import Office
from ...outreach_documents import PLACE_KINDS, invitations_pdf, sign_in_pdf
from ..auth import current_user
from ..rendering import render
from .forms import DeliveryForm, ImportForm
from .routes import _admin_desa, _desa, _in_desa, bp

MAX_CSV_BYTES = 2_000_000


def _visit(visit_id: int):
    return _in_desa(staff.visit_of_desa, visit_id)


@bp.get("/keliling")
def list_visits():
    return render("staff/visits.html", desa=_desa(), place_kinds=PLACE_KINDS,
                  visits=outreach.list_visits(get_session(), desa_code=_desa().code))


def _visit_page(visit, *, form=None, report=None, status=200, delivery=None, failed=None):
    session = get_session()
    return render("staff/visit.html", visit=visit, desa=_desa(), status=status,
                  office=session.get(Office, visit.office_code), place_kinds=PLACE_KINDS,
                  people=outreach.invited(session, visit), form=form or ImportForm(),
                  delivery=delivery or DeliveryForm(), failed=failed, report=report,
                  open_places=outreach.open_places(session, visit),
                  refused_words=lambda errors: messages.field_messages(ValidationError(errors)))


@bp.get("/keliling/<int:visit_id>")
def show_visit(visit_id: int):
    return _visit_page(_visit(visit_id))


@bp.post("/keliling/<int:visit_id>/impor")
def import_residents(visit_id: int):
    visit, form = _visit(visit_id), ImportForm()
    upload = request.files.get("file")
    raw = upload.read(MAX_CSV_BYTES + 1) if upload else b""
    if not form.validate_on_submit() or not raw or len(raw) > MAX_CSV_BYTES:
        form.file.errors = [*form.file.errors, messages.field_message("file", "required")]
        return _visit_page(visit, form=form, status=422)
    try:
        report = outreach.import_residents(
            get_session(), visit, outreach.decoded(raw),
            key=current_app.config["DATA_KEY"].encode(), data_key=current_app.config["DATA_KEY"],
            actor=f"user:{current_user().id}", checkpoint=get_session().commit)
    except ValidationError as error:
        get_session().rollback()
        form.file.errors = list(messages.field_messages(error).values())
        return _visit_page(visit, form=form, status=422)
    get_session().commit()
    return _visit_page(visit, report=report)


def _pdf(pdf: bytes, name: str) -> Response:
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/keliling/<int:visit_id>/undangan.pdf")
def visit_invitations(visit_id: int):
    visit = _visit(visit_id)
    return _pdf(invitations_pdf(get_session(), visit), f"undangan-{visit.id}.pdf")


@bp.get("/keliling/<int:visit_id>/daftar-hadir.pdf")
def visit_sign_in_sheet(visit_id: int):
    visit = _visit(visit_id)
    return _pdf(sign_in_pdf(get_session(), visit), f"daftar-hadir-{visit.id}.pdf")


@bp.post("/keliling/<int:visit_id>/undangan/<code>")
def record_delivery(visit_id: int, code: str):
    visit, form = _visit(visit_id), DeliveryForm()
    if not form.validate_on_submit():
        return _visit_page(visit, status=422, delivery=form, failed=code)
    try:
        outreach.record_delivery(get_session(), visit, code, delivered_by=form.delivered_by.data,
                                 actor=f"user:{current_user().id}")
    except ValidationError:
        abort(404)
    get_session().commit()
    return redirect(url_for("staff.show_visit", visit_id=visit.id, **_admin_desa())
                    + f"#u-{code}", code=303)
