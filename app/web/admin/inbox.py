"""The inbox (issue 15 §5): the office's home-visit requests, and — for the all-offices admin
only — misconduct reports, each taken from new to answered with a response."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, redirect, url_for

from ...db import get_session
from ...domain import inbox
from ...domain.hours import parse_day, parse_time
from ...domain.offices import list_offices
from ...models import HomeVisitRequest, MisconductReport, Office
from ..auth import current_user
from ..rendering import render
from .forms import INBOX_MESSAGES, HomeVisitHandleForm, ReportHandleForm
from .routes import actor, admin_office, admin_page, bp


@bp.get("/<office_code>/inbox")
def show_inbox(office_code):
    office = admin_office(office_code)
    return admin_page("admin/inbox.html", office,
                      items=inbox.home_visits(get_session(), office.code))


def _home_visit_of(office, request_id):
    record = get_session().get(HomeVisitRequest, request_id)
    if record is None or record.office_code != office.code:
        abort(404)
    return record


def _planned(office, form):
    """The planned local day and time as an aware moment; None when not given."""
    day, at = parse_day(form.planned_day.data), parse_time(form.planned_time.data)
    if form.planned_day.data and day is None:
        raise inbox.InboxInvalid({"planned_day": "date"})
    if form.planned_time.data and at is None:
        raise inbox.InboxInvalid({"planned_time": "time"})
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=ZoneInfo(office.timezone))


@bp.route("/<office_code>/inbox/home-visits/<int:request_id>", methods=["GET", "POST"])
def handle_home_visit(office_code, request_id):
    office = admin_office(office_code)
    record = _home_visit_of(office, request_id)
    form = HomeVisitHandleForm(data={"status": record.status, "response": record.response})
    status = 200
    if form.is_submitted():
        status = 422
        try:
            if form.validate():
                inbox.handle_home_visit(get_session(), record, form.status.data,
                                        form.response.data, _planned(office, form), actor())
                get_session().commit()
                return redirect(url_for("admin.show_inbox", office_code=office.code), code=303)
        except inbox.InboxInvalid as refused:
            for name, code in refused.errors.items():
                form["planned_day" if name == "planned_at" else name].errors = \
                    [INBOX_MESSAGES[code]]
    return admin_page("admin/home_visit.html", office, record=record, form=form,
                      status=status)


def _all_offices_admin():
    """Reports go to the kabupaten, never only to the office they accuse (issue 15 §5): for an
    office's admin these pages do not exist (404, like any unknown page)."""
    if current_user().office_code is not None:
        abort(404)


@bp.get("/reports")
def show_reports():
    _all_offices_admin()
    session = get_session()
    return render("admin/reports.html", items=inbox.misconduct_reports(session),
                  offices={o.code: o.name for o in list_offices(session)})


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
def handle_report(report_id):
    _all_offices_admin()
    report = get_session().get(MisconductReport, report_id)
    if report is None:
        abort(404)
    form = ReportHandleForm(data={"status": report.status, "response": report.response})
    status = 200
    if form.is_submitted():
        status = 422
        try:
            if form.validate():
                inbox.handle_report(get_session(), report, form.status.data, form.response.data,
                                    actor())
                get_session().commit()
                return redirect(url_for("admin.show_reports"), code=303)
        except inbox.InboxInvalid as refused:
            for name, code in refused.errors.items():
                form[name].errors = [INBOX_MESSAGES[code]]
    return render("admin/report.html", report=report, form=form, status=status,
                  office=get_session().get(Office, report.office_code))
