"""Staff sign-in and the role guard every logged-in blueprint uses."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, session, url_for
from flask_babel import gettext as _

from ..db import get_session
from ..domain import audit
from ..domain.accounts import authenticate
from ..extensions import limiter
from ..models import User
from .forms import LoginForm
from .rendering import render
from .safe_redirect import local_path

bp = Blueprint("auth", __name__)
HOME_BY_ROLE = {"admin": "/admin/", "officer": "/officer/", "desa_staff": "/staff/",
                "kiosk": "/"}


def _failed_login(response) -> bool:
    return response.status_code == 422


def _username_key() -> str:
    return "login-user:" + (request.form.get("username") or "").strip().lower()[:60]


@bp.get("/login")
def show_login():
    form = LoginForm(data={"next": local_path(request.args.get("next"), "")})
    return render("auth/login.html", form=form)


# Repeated failures are throttled per address and per account (guessing spread over addresses).
@bp.post("/login")
@limiter.limit("10 per 15 minutes", deduct_when=_failed_login)
@limiter.limit("5 per 15 minutes", key_func=_username_key, deduct_when=_failed_login)
def login():
    form = LoginForm()
    user = None
    if form.validate_on_submit():
        user = authenticate(get_session(), form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Nama pengguna atau kata sandi salah."))
    if user is None:
        return render("auth/login.html", form=form, status=422)
    session.clear()  # a fresh session on sign-in: no fixation
    session["uid"] = user.id
    session.permanent = True
    audit.record(get_session(), f"user:{user.id}", "auth.login")
    get_session().commit()
    return redirect(local_path(form.next.data, HOME_BY_ROLE[user.role]), code=303)


@bp.post("/logout")
def logout():
    uid = session.get("uid")
    session.clear()
    if uid:
        audit.record(get_session(), f"user:{uid}", "auth.logout")
        get_session().commit()
    return redirect(url_for("public.show_home"), code=303)


def current_user() -> User | None:
    if "current_user" not in g:
        uid = session.get("uid")
        user = get_session().get(User, uid) if isinstance(uid, int) else None
        g.current_user = user if user is not None and user.active else None
    return g.current_user


def guard(blueprint: Blueprint, *roles: str) -> None:
    """Who may enter a blueprint is decided here, once, for every view in it."""

    @blueprint.before_request
    def require_role():
        user = current_user()
        if user is None:
            return redirect(url_for("auth.show_login", next=request.full_path.rstrip("?")))
        if user.role not in roles:
            abort(403)
        return None


def install(app) -> None:
    @app.context_processor
    def user_context():
        return {"current_user": current_user()}
