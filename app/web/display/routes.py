"""Lobby call board: the tickets being served and how many wait, for a TV (DESIGN §5)."""

from flask import Blueprint, abort

from ...db import get_session
from ...domain.offices import get_office
from ..auth import public
from ..rendering import render

bp = Blueprint("display", __name__, url_prefix="/display")
public(bp)  # a lobby TV signs in as no one: the board shows no names


@bp.get("/<office_code>")
def show_display(office_code):
    office = get_office(get_session(), office_code)
    if office is None:
        abort(404)
    return render("display/show.html", office=office)
