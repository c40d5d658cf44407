"""The camat's admin: hours, stations, closures, users, dashboards."""

from flask import Blueprint

from ..auth import guard
from ..rendering import render

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, "admin")


@bp.get("/")
def show_admin_home():
    return render("admin/home.html")
