"""Citizen pages: home, privacy notice, display options."""

from flask import Blueprint, redirect, request

from ...db import get_session
from ...domain.offices import list_offices
from ..forms import DisplayForm
from ..rendering import DISPLAY_COOKIE, cached_page, display_preferences, render
from ..safe_redirect import local_path

bp = Blueprint("public", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
@cached_page
def show_home():
    return render("citizen/home.html", offices=list_offices(get_session()))


@bp.get("/privasi")
@cached_page
def show_privacy():
    # Each office's retention days: the page states the rule as it is applied.
    return render("citizen/privacy.html", offices=list_offices(get_session()))


@bp.get("/tampilan")
def show_display_options():
    next_path = local_path(request.args.get("next"))
    form = DisplayForm(data={**display_preferences(), "next": next_path})
    return render("citizen/display_options.html", form=form)


@bp.post("/tampilan")
def save_display_options():
    form = DisplayForm()
    if not form.validate_on_submit():
        return render("citizen/display_options.html", form=form, status=422)
    response = redirect(local_path(form.next.data), code=303)
    response.set_cookie(DISPLAY_COOKIE, f"{form.text.data}.{form.contrast.data}",
                        max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=request.scheme == "https")
    return response
