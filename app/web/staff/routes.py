"""Desa staff: book on behalf of residents, see the village's bookings, fill outreach visits."""

from flask import Blueprint

from ..auth import guard
from ..rendering import render

bp = Blueprint("staff", __name__, url_prefix="/staff")
guard(bp, "desa_staff", "admin")


@bp.get("/")
def show_staff_home():
    return render("staff/home.html")
