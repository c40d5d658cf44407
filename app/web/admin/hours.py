"""Weekly hours, extra sessions and closures (issue 15 §2). Each change replans the office's
slots; the confirming page lists who was moved and who must be called."""

from flask import abort, redirect, url_for

from ...db import get_session
from ...domain import hours
from ...domain.capacity import local_today
from ...models import utcnow
from .forms import HOURS_MESSAGES, ClosureForm, EmptyForm, ExtraSessionForm, WeeklyHoursForm
from .routes import actor, admin_office, admin_page, bp


def _hours_page(office, *, weekly=None, closure=None, extra=None, result=None, status=200):
    session, today = get_session(), local_today(office, utcnow())
    if weekly is None:
        current = hours.weekly_hours(session, office.code)
        weekly = WeeklyHoursForm(formdata=None, prefix="weekly", data={
            f"day{d}": hours.periods_text(p) for d, p in current.items()})
    return admin_page("admin/hours.html", office, status=status, result=result,
                      weekly=weekly, closure=closure or ClosureForm(formdata=None, prefix="closure"),
                      extra=extra or ExtraSessionForm(formdata=None, prefix="extra"),
                      closures=hours.closures(session, office.code, today),
                      extras=hours.extra_sessions(session, office.code, today))


def _day_of(text):
    day = hours.parse_day(text)
    if day is None and text:
        raise hours.HoursInvalid({"day": "date"})
    return day


def _refuse(form, refused):
    for name, code in refused.errors.items():
        form[name].errors = [HOURS_MESSAGES[code]]


@bp.get("/<office_code>/hours")
def show_hours(office_code):
    return _hours_page(admin_office(office_code))


def _take(office, form, name: str, act):
    """One hours form: validated, then `act()` (the domain action, answering the replan); the
    page again with 422 and the refusal beside its fields, or with who was moved."""
    if not form.validate_on_submit():
        return _hours_page(office, **{name: form}, status=422)
    try:
        result = act()
    except hours.HoursInvalid as refused:
        _refuse(form, refused)
        return _hours_page(office, **{name: form}, status=422)
    get_session().commit()
    return _hours_page(office, result=result)


@bp.post("/<office_code>/hours/weekly")
def set_weekly_hours(office_code):
    office, form = admin_office(office_code), WeeklyHoursForm(prefix="weekly")
    return _take(office, form, "weekly", lambda: hours.set_weekly_hours(
        get_session(), office.code,
        hours.parse_weekly({d: form[f"day{d}"].data for d in range(7)}), actor()))


@bp.post("/<office_code>/hours/closures")
def add_closure(office_code):
    office, form = admin_office(office_code), ClosureForm(prefix="closure")
    return _take(office, form, "closure", lambda: hours.add_closure(
        get_session(), office.code, _day_of(form.day.data), form.reason.data, actor())[1])


@bp.post("/<office_code>/hours/extra")
def add_extra_session(office_code):
    office, form = admin_office(office_code), ExtraSessionForm(prefix="extra")
    return _take(office, form, "extra", lambda: hours.add_extra_session(
        get_session(), office.code, _day_of(form.day.data),
        hours.parse_time(form.opens.data), hours.parse_time(form.closes.data),
        form.note.data, actor())[1])


@bp.post("/<office_code>/hours/closures/<int:closure_id>/remove")
def remove_closure(office_code, closure_id):
    office = admin_office(office_code)
    if not EmptyForm().validate_on_submit() or hours.remove_closure(
            get_session(), office.code, closure_id, actor()) is None:
        abort(404)
    get_session().commit()
    return redirect(url_for("admin.show_hours", office_code=office.code), code=303)


@bp.post("/<office_code>/hours/extra/<int:extra_id>/remove")
def remove_extra_session(office_code, extra_id):
    office = admin_office(office_code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    result = hours.remove_extra_session(get_session(), office.code, extra_id, actor())
    if result is None:
        abort(404)
    get_session().commit()
    return _hours_page(office, result=result)
