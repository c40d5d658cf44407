"""Staff sign-in and the role guard every logged-in blueprint uses."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from ..access import ANYONE, Access, access_for, declare_blueprint, declare_view
from ..db import get_session, write_step
from ..domain import audit, staff_sessions
from ..domain.accounts import authenticate
from ..extensions import limiter
from ..models import User
from .forms import LoginForm
from .rendering import render
from .safe_redirect import local_path

bp = Blueprint("auth", __name__)


def blueprints():
    return (bp,)


SESSION_KEY = "sid"  # the staff session's random id; the row holds only its hash
HOME_BY_ROLE = {"admin": "/admin/", "officer": "/officer/", "desa_staff": "/staff/",
                "kiosk": "/kiosk/"}


LOGIN_PER_ADDRESS = "20 per 15 minutes"  # an office's PCs often share one public address
LOGIN_PER_ACCOUNT_AND_ADDRESS = "5 per 15 minutes"
LOGIN_PER_ACCOUNT = "50 per hour"
ACCOUNT_ADDRESS_KEY = "login-user-address:"


def _failed_login(response) -> bool:
    return response.status_code == 422


def _typed_username() -> str:
    return (request.form.get("username") or "").strip().lower()[:60]


def _account_and_address_key() -> str:
    return f"{ACCOUNT_ADDRESS_KEY}{_typed_username()}|{get_remote_address()}"


def _account_key() -> str:
    return "login-user:" + _typed_username()


def _forgive_failures_from_here() -> None:
    """A right password forgets this address's earlier failures for the account — not the
    per-account ceiling, which an attacker elsewhere may be filling."""
    for counted in limiter.current_limits:
        if ACCOUNT_ADDRESS_KEY in counted.key:
            limiter.limiter.clear(counted.limit, *counted.request_args)


@bp.get("/login")
def show_login():
    form = LoginForm(data={"next": local_path(request.args.get("next"), "")})
    return render("auth/login.html", form=form)


# Three limits (OWASP ASVS 2.2.1). Tight, per account from one address: every attempt takes a
# place before the password is checked, so parallel guesses cannot slip past it, and a right
# password gives the places back. An attacker elsewhere does not share that counter, so cannot
# lock an officer out. Looser, counting failures only: per address (guessing many accounts)
# and per account from anywhere (guessing spread over many addresses).
@bp.post("/login")
@limiter.limit(LOGIN_PER_ACCOUNT_AND_ADDRESS, key_func=_account_and_address_key)
@limiter.limit(LOGIN_PER_ADDRESS, deduct_when=_failed_login)
@limiter.limit(LOGIN_PER_ACCOUNT, key_func=_account_key, deduct_when=_failed_login)
def login():
    form = LoginForm()
    user = None
    if form.validate_on_submit():
        user = authenticate(get_session(), form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Nama pengguna atau kata sandi salah."))
    if user is None:
        return render("auth/login.html", form=form, status=422)
    _forgive_failures_from_here()
    session.clear()  # a fresh session on sign-in: no fixation
    session[SESSION_KEY] = staff_sessions.start(get_session(), user.id)
    session.permanent = True
    audit.record(get_session(), f"user:{user.id}", "auth.login")
    get_session().commit()
    return redirect(local_path(form.next.data, HOME_BY_ROLE[user.role]), code=303)


@bp.post("/logout")
def logout():
    secret = session.get(SESSION_KEY)
    session.clear()
    uid = staff_sessions.end(get_session(), secret) if secret else None
    if uid:
        audit.record(get_session(), f"user:{uid}", "auth.logout")
    get_session().commit()
    return redirect(url_for("public.show_home"), code=303)


def _lifetimes() -> staff_sessions.Lifetimes:
    return staff_sessions.Lifetimes.of(current_app.config["STAFF_IDLE_MINUTES"],
                                       current_app.config["STAFF_SESSION_HOURS"])


def current_user() -> User | None:
    """The signed-in staff member, checked against the server's session row on every request
    (a copied cookie is worthless once the row has ended)."""
    if "current_user" not in g:
        g.current_user = g.staff_session_id = None
        secret = session.get(SESSION_KEY)
        found = staff_sessions.live(get_session(), secret, _lifetimes()) if secret else None
        if found is None:
            if secret:
                session.pop(SESSION_KEY, None)  # ended or expired: forget it in the browser too
        else:
            g.current_user, g.staff_session_id = found.user, found.session_id
            if found.needs_touch:
                _note_activity(found.session_id)
    return g.current_user


def _note_activity(session_id: int) -> None:
    write_step(lambda writer: staff_sessions.touch(writer, session_id), read_after=False)


def _enforce_declared_access():
    """Before every view of a declared blueprint: its view's or its blueprint's roles."""
    if request.endpoint is None:  # 404 / 405: nothing to guard
        return None
    needed = access_for(current_app.view_functions, request.endpoint).roles
    if needed is None:
        return None
    user = current_user()
    if user is None:
        return redirect(url_for("auth.show_login", next=request.full_path.rstrip("?")))
    if user.role not in needed:
        abort(403)
    return None


def guard(blueprint: Blueprint, *roles: str) -> None:
    """Who may enter a blueprint is decided here, once, for every view in it."""
    declare_blueprint(blueprint.name, Access(frozenset(roles)))
    blueprint.before_request(_enforce_declared_access)


def public(blueprint: Blueprint) -> None:
    """A blueprint anyone may enter (a view in it may still `allow` only some roles)."""
    declare_blueprint(blueprint.name, ANYONE)
    blueprint.before_request(_enforce_declared_access)


def allow(*roles: str):
    """A view's own roles where they differ from its blueprint's; `allow()` alone: anyone."""

    def decorate(view):
        return declare_view(view, Access(frozenset(roles) if roles else None))

    return decorate


def install(app) -> None:
    @app.context_processor
    def user_context():
        return {"current_user": current_user()}


public(bp)  # the sign-in page is for those not yet signed in
