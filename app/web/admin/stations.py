"""Stations up / down / maintenance from the page (issue 15 §3), through the same domain
function as `flask station-state`; who was moved and who could not be; each station's outages."""

from flask import abort

from ...db import get_session
from ...domain import stations
from ...models import utcnow
from .forms import StationStateForm
from .routes import actor, admin_office, admin_page, bp


def _station_of(office, station_code):
    found = [s for s in stations.office_stations(get_session(), office.code)
             if s.code == station_code]
    if not found:
        abort(404)
    return found[0]


def _page(office, *, result=None, failed=None, failed_form=None, status=200):
    session = get_session()
    rows = [(s, failed_form if failed == s.code else
             StationStateForm(formdata=None, prefix=f"station-{s.code}",
                              data={"state": s.state}),
             stations.outages(session, s.code))
            for s in stations.office_stations(session, office.code)]
    return admin_page("admin/stations.html", office, rows=rows, result=result, now=utcnow(),
                      status=status)


@bp.get("/<office_code>/stations")
def show_stations(office_code):
    return _page(admin_office(office_code))


@bp.post("/<office_code>/stations/<station_code>")
def set_station_state(office_code, station_code):
    office = admin_office(office_code)
    station = _station_of(office, station_code)
    form = StationStateForm(prefix=f"station-{station.code}")
    if not form.validate_on_submit():
        return _page(office, failed=station.code, failed_form=form, status=422)
    result = stations.set_station_state(get_session(), station.code, form.state.data, actor())
    get_session().commit()
    return _page(office, result=result)
