"""Figures per day and month (issue 15 §8): tables, server-drawn SVG charts (no script: the
table beside each chart is its text alternative), and CSV."""

from datetime import timedelta

from flask import Response, request

from ...db import get_session
from ...domain import figures
from ...domain.capacity import local_today
from ...domain.hours import parse_day
from ...models import utcnow
from .forms import INBOX_MESSAGES, FiguresForm
from .routes import admin_office, admin_page, bp


def _read(office):
    form = FiguresForm(request.args)
    today = local_today(office, utcnow())
    first, last = today - timedelta(days=29), today
    period, group = "day", "channel"
    if request.args and form.validate():
        period, group = form.period.data, form.group.data
        for name in ("first", "last"):
            if form[name].data and parse_day(form[name].data) is None:
                form[name].errors = [INBOX_MESSAGES["date"]]
        first = parse_day(form.first.data) or first
        last = parse_day(form.last.data) or last
    if not request.args:
        form.period.data, form.group.data = period, group
        form.first.data, form.last.data = first.isoformat(), last.isoformat()
    found = figures.figures(get_session(), office, first, max(first, last), period, group)
    return form, found, group


@bp.get("/<office_code>/figures")
def show_figures(office_code):
    office = admin_office(office_code)
    form, found, group = _read(office)
    return admin_page("admin/figures.html", office, form=form, found=found, group=group,
                      measures=figures.MEASURES, query=request.query_string.decode(),
                      status=422 if form.errors else 200)


@bp.get("/<office_code>/figures.csv")
def export_figures(office_code):
    office = admin_office(office_code)
    _form, found, group = _read(office)
    return Response(figures.figures_csv(found, group), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="figures-{office.code}.csv"'})
