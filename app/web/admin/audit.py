"""The audit log with filters and CSV export, and the outbox with retry (issue 15 §7)."""

from flask import Response, abort, redirect, request, url_for

from ...db import get_session
from ...domain import audit_log
from ...domain.hours import parse_day
from ...models import OUTBOX_STATUSES
from ..forms import choices
from .forms import INBOX_MESSAGES, AuditFilterForm, EmptyForm
from .routes import actor, admin_office, admin_page, bp


def _filter(session):
    form = AuditFilterForm(request.args)
    known = audit_log.actions(session)
    form.action.choices = choices(["", *known], ["—", *known])
    wanted = audit_log.AuditFilter()
    if form.validate():
        first, last = parse_day(form.first.data), parse_day(form.last.data)
        for field, day in ((form.first, first), (form.last, last)):
            if field.data and day is None:
                field.errors = [INBOX_MESSAGES["date"]]
        wanted = audit_log.AuditFilter(form.actor.data or "", form.action.data or "", first,
                                       last, form.booking.data or "")
    return form, wanted


@bp.get("/<office_code>/audit")
def show_audit(office_code):
    office, session = admin_office(office_code), get_session()
    form, wanted = _filter(session)
    return admin_page("admin/audit.html", office, form=form, query=request.query_string.decode(),
                      entries=audit_log.entries(session, office, wanted),
                      status=422 if form.errors else 200)


@bp.get("/<office_code>/audit.csv")
def export_audit(office_code):
    office, session = admin_office(office_code), get_session()
    _form, wanted = _filter(session)
    return Response(audit_log.entries_csv(session, office, wanted), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="audit-{office.code}.csv"'})


@bp.get("/<office_code>/outbox")
def show_outbox(office_code):
    office = admin_office(office_code)
    status = request.args.get("status", "")
    return admin_page("admin/outbox.html", office, status=200, chosen=status,
                      statuses=OUTBOX_STATUSES, form=EmptyForm(formdata=None),
                      rows=audit_log.outbox(get_session(), office.code, status))


@bp.post("/<office_code>/outbox/<int:message_id>/retry")
def retry_message(office_code, message_id):
    office = admin_office(office_code)
    if not EmptyForm().validate_on_submit() or not audit_log.retry(
            get_session(), office.code, message_id, actor()):
        abort(404)
    get_session().commit()
    return redirect(url_for("admin.show_outbox", office_code=office.code, status="failed"),
                    code=303)
