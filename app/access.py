"""Who may use each route, declared once where the route is made: a blueprint's guard
(`app.web.auth.guard` / `public`), a view's own override (`allow`), or the API's `route(...,
roles=, scope=)`. The guards enforce these declarations and tests/test_access_matrix.py walks
every registered route with every role and scope against them, so a route nobody declared, or
one whose guard admits someone else, fails there.

Shared by web and API (neither imports the other): plain data, no Flask request in here.
"""

from __future__ import annotations

from dataclasses import dataclass

SESSION, TOKEN = "session", "token"  # staff sign-in cookie | API bearer token
SCOPES = ("office", "desa")


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] | None  # None: anyone, signed in or not
    # What a token's scope must cover, on top of its role: "office" — the office the route
    # acts on is the token's (an admin without an office covers all); "desa" — a desa-staff
    # token acts only on its own desa's residents.
    scope: tuple[str, ...] = ()
    via: str = SESSION

    def __post_init__(self):
        assert set(self.scope) <= set(SCOPES), self.scope


ANYONE = Access(None)
_BLUEPRINTS: dict[str, Access] = {}
# Flask's own endpoints: the static files are everyone's.
_APP_ENDPOINTS: dict[str, Access] = {"static": ANYONE}


class Undeclared(LookupError):
    """A route whose access nobody declared."""


def declare_blueprint(name: str, access: Access) -> None:
    _BLUEPRINTS[name] = access


def declare_view(view, access: Access):
    """Mark a view function with its own access (wrappers made with functools.wraps keep it)."""
    view.access = access
    return view


def access_for(view_functions: dict, endpoint: str) -> Access:
    view = view_functions.get(endpoint)
    own = getattr(view, "access", None)
    if own is not None:
        return own
    if endpoint in _APP_ENDPOINTS:
        return _APP_ENDPOINTS[endpoint]
    blueprint, dot, _name = endpoint.rpartition(".")
    if dot and blueprint in _BLUEPRINTS:
        return _BLUEPRINTS[blueprint]
    raise Undeclared(endpoint)


# --- issue 12: the lobby --- a paired kiosk proves itself with its device cookie
# (app/domain/lobby.py), never with a staff sign-in or an API token: no caller in the access
# matrix holds one, so every such route refuses every one of them (403).
DEVICE = "device"
KIOSK_DEVICE = Access(frozenset({"kiosk-device"}), via=DEVICE)
