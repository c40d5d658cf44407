"""The camat's admin: the office picker, each office's overview, and the helpers every page of
the room uses (which office, who acts). Pages live in modules beside this one."""

from flask import Blueprint, abort, current_app, redirect, url_for

from ...db import get_session
from ...domain import capture as captures
from ...domain import replan
from ...domain.offices import list_offices
from ...models import Office
from ..auth import current_user, guard
from ..rendering import render
from . import nav

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, "admin")


def admin_office(office_code: str) -> Office:
    """The office the signed-in admin may act on, or 404 / 403: an office's admin has only its
    own office; an admin without an office has all (DESIGN §6 scopes)."""
    office = get_session().get(Office, office_code)
    if office is None:
        abort(404)
    user = current_user()
    if user.office_code is not None and user.office_code != office.code:
        abort(403)
    return office


def actor() -> str:
    return f"user:{current_user().id}"


def admin_page(template: str, office: Office, **context):
    """Render a page of the room with its navigation (templates/admin/_layout.html)."""
    return render(template, office=office, admin_nav=nav.entries(), **context)


@bp.get("/")
def show_admin_home():
    """The offices this admin may act on: its own, or every office for the kabupaten's."""
    user = current_user()
    offices = [o for o in list_offices(get_session())
               if user.office_code in (None, o.code)]
    return render("admin/home.html", offices=offices)


@bp.get("/<office_code>/")
def show_office(office_code):
    office = admin_office(office_code)
    return admin_page("admin/office.html", office,
                      unplaced=replan.open_unplaced(get_session(), office.code),
                      station_alarms=captures.alarms(
                          get_session(), office.code,
                          alarm_seconds=current_app.config["CAPTURE_ALARM_SECONDS"]))


@bp.post("/<office_code>/unplaced/<int:entry_id>/resolve")
def resolve_unplaced(office_code, entry_id):
    office = admin_office(office_code)
    if not replan.resolve_unplaced(get_session(), office.code, entry_id, actor()):
        abort(404)
    get_session().commit()
    return redirect(url_for("admin.show_office", office_code=office.code), code=303)
