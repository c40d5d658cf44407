"""Kiosk: the lobby's touch screen — three doors (booked, not booked, help), the ticket, and
pairing. For a paired kiosk device only (app/web/kiosk/device.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from flask import session as browser_session

from ...adapters.qr import qr_data_uri
from ...db import get_session
from ...domain import lobby, office_status, queue
from ...models import Office
from ..auth import allow
from ..rendering import render
from .device import current_kiosk, device_guard, remember_device
from .forms import ActionForm

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
device_guard(bp)


def kiosk_office() -> Office:
    return get_session().get(Office, current_kiosk().office_code)


def kiosk_page(template: str, *, status: int = 200, **context):
    """Every kiosk screen shows the office and its service status of the day at the top."""
    office = kiosk_office()
    return render(template, office=office, kiosk=current_kiosk(), status=status,
                  service=office_status.current(get_session(), office.code), **context)


@bp.get("/")
def show_kiosk_home():
    return kiosk_page("kiosk/home.html", help_form=ActionForm(formdata=None))


@bp.get("/selesai")
def reset_kiosk():
    """The idle countdown ends here (and "Selesai"): forget the person, start afresh. A walk-in's
    draft row is unreachable once its id leaves the cookie, and expires by itself."""
    browser_session.clear()
    return redirect(url_for(".show_kiosk_home"), code=303)


@bp.post("/bantuan")
def call_for_help():
    if not ActionForm().validate_on_submit():
        abort(400)
    lobby.call_help(get_session(), current_kiosk())
    get_session().commit()
    return redirect(url_for(".show_help_called"), code=303)


@bp.get("/bantuan")
def show_help_called():
    return kiosk_page("kiosk/help.html")


@bp.get("/tiket/<public_id>")
def show_kiosk_ticket(public_id):
    ticket = queue.by_public_id(get_session(), public_id)
    if ticket is None or ticket.office_code != current_kiosk().office_code:
        abort(404)
    status_url = f"{current_app.config['BASE_URL'].rstrip('/')}/tiket/{ticket.public_id}"
    return kiosk_page("kiosk/ticket.html", place=queue.standing(get_session(), ticket),
                      qr=qr_data_uri(status_url), status_url=status_url,
                      done_form=ActionForm(formdata=None))


# --- pairing: for a browser that is not a kiosk yet --------------------------------------------


@bp.get("/pair/<code>")
@allow()
def show_pairing(code):
    kiosk = lobby.pairing_kiosk(get_session(), code)
    office = get_session().get(Office, kiosk.office_code) if kiosk else None
    return render("kiosk/pair.html", kiosk=kiosk, office=office, form=ActionForm(formdata=None),
                  status=200 if kiosk else 404)


@bp.post("/pair/<code>")
@allow()
def pair_kiosk(code):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        _kiosk, secret = lobby.pair(get_session(), code)
    except lobby.LobbyError:
        get_session().rollback()
        return render("kiosk/pair.html", kiosk=None, office=None, form=None, status=404)
    get_session().commit()
    browser_session.clear()  # a staff sign-in on this browser ends: a kiosk is nobody's
    return remember_device(redirect(url_for(".show_kiosk_home"), code=303), secret)


# The doors' and the survey slip's (issues 12 and 17) routes register themselves on bp.
from . import doors, survey  # noqa: E402,F401
