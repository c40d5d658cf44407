"""Kiosk: walk-in wizard, receipt scan and ticket printing, for a kiosk device only."""

from flask import Blueprint

from ..auth import guard
from ..rendering import render

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
# Until devices are paired (DESIGN §5 /kiosk/pair/…), a kiosk signs in as a kiosk user.
guard(bp, "kiosk", "admin")


@bp.get("/")
def show_kiosk_home():
    return render("kiosk/home.html")
