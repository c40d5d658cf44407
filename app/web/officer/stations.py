"""The officer's recording stations (issue 16): capture alarms, confirming a station down (the
station-state function recomputes capacity), and importing a flashdisk bundle."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlmodel import select

from ...db import get_session
from ...domain import capture as captures
from ...models import CaptureHeartbeat, Station
from ..auth import current_user, guard
from ..forms import PostForm
from ..rendering import render

bp = Blueprint("officer_stations", __name__, url_prefix="/officer/stasiun")
guard(bp, "officer", "admin")
MAX_BUNDLE_BYTES = 64 * 1024 * 1024


class ConfirmDownForm(PostForm):
    pass


class BundleForm(PostForm):
    bundle = FileField(_l("Berkas bundel dari flashdisk (.zip)"),
                       validators=[FileRequired(_l("Pilih berkas bundel .zip dari flashdisk."))])


def _page(*, form=None, report=None, error=None, moved=None, status=200):
    user, session = current_user(), get_session()
    query = select(Station, CaptureHeartbeat).join(
        CaptureHeartbeat, CaptureHeartbeat.station_code == Station.code, isouter=True
    ).where(Station.pool == "station").order_by(Station.code)
    if user.office_code:
        query = query.where(Station.office_code == user.office_code)
    alarms = captures.alarms(session, user.office_code,
                             alarm_seconds=current_app.config["CAPTURE_ALARM_SECONDS"])
    return render("officer/stations.html", stations=session.exec(query).all(),
                  station_alarms=alarms, alarmed={a.station.code for a in alarms},
                  confirm_form=ConfirmDownForm(), form=form or BundleForm(), report=report,
                  error=error, moved=moved, status=status)


@bp.get("/")
def show_stations():
    return _page(moved=request.args.get("moved"))


@bp.post("/<code>/rusak")
def confirm_station_down(code: str):
    session, user = get_session(), current_user()
    if not ConfirmDownForm().validate_on_submit():
        return _page(status=422)
    try:
        station = captures.station_in_office(session, code, user.office_code)
    except captures.CaptureError:
        return _page(error="unknown_station", status=404)
    result = captures.confirm_station_down(session, station, f"user:{user.id}")
    session.commit()
    return redirect(url_for(".show_stations", moved=len(result.moved)), 303)


@bp.post("/bundel")
def import_bundle():
    form, session, user = BundleForm(), get_session(), current_user()
    request.max_content_length = MAX_BUNDLE_BYTES
    if not form.validate_on_submit():
        return _page(form=form, status=422)
    try:
        report = captures.import_bundle(session, form.bundle.data.read(MAX_BUNDLE_BYTES + 1),
                                        actor=f"user:{user.id}", office_code=user.office_code,
                                        data_key=current_app.config["DATA_KEY"])
    except captures.CaptureError as error:
        session.rollback()
        return _page(form=form, error=error.code, status=422)
    session.commit()
    return _page(report=report)
