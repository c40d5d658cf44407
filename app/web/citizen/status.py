"""Today's service status of an office for people (DESIGN §5 /status/{office}), and the one
line that the home and booking pages show for each office."""

from __future__ import annotations

from flask import Blueprint, abort

from ...db import get_session
from ...domain import office_settings, office_status
from ...domain.offices import get_office
from ..rendering import render

bp = Blueprint("status", __name__)


def service_status(office) -> office_status.ServiceStatus:
    return office_status.current(get_session(), office.code)


def card_pickup(office) -> office_settings.CardPickup | None:
    return office_settings.card_pickup_of(get_session(), office.code)


def _install(state) -> None:
    # The home, booking and checklist pages show each office's status and where its cards are
    # picked up beside it, with no view to change.
    state.app.add_template_global(service_status, "service_status")
    state.app.add_template_global(card_pickup, "card_pickup")


bp.record_once(_install)


@bp.get("/status/<office_code>")
def show_office_status(office_code):
    office = get_office(get_session(), office_code)
    if office is None:
        abort(404)
    status = service_status(office)
    response = render("citizen/status.html", office=office, service=status)
    response.headers["Cache-Control"] = "no-cache"  # it can change at any moment of the day
    return response
