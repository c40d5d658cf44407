"""Officers: scan receipts, check people in, run the queue and the stations, hand out cards."""

from flask import Blueprint

from .auth import guard
from .rendering import render

bp = Blueprint("officer", __name__, url_prefix="/officer")
guard(bp, "officer", "admin")


@bp.get("/")
def show_officer_home():
    return render("officer/home.html")
