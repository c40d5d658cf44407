"""The cookie session only where a request can have one (issue 11: per-request cost).

The API authenticates with bearer tokens, the key set and static files are the same for
everyone: none of them reads or sets the session cookie. Flask's cookie session builds its
signing serializer (a key derivation) on every request, cookie or not; here those paths get an
empty session that is never saved, so no Set-Cookie and no `Vary: Cookie` comes from them.
"""

from __future__ import annotations

from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface

COOKIELESS_PREFIXES = ("/api/", "/.well-known/", "/static/")


def carries_session_cookie() -> bool:
    """Whether the request came with the session cookie, looked for in the raw header (parsing
    the cookies cost a tenth of a cached answer, issue 11). A name that only contains it is
    sent on to the real check, which reads the cookie itself."""
    return current_app.config["SESSION_COOKIE_NAME"] in request.environ.get("HTTP_COOKIE", "")


class RekamSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        # Without the cookie there is nothing to read: a new session, without building the
        # signing serializer (saving one, when a page fills it, builds its own).
        if request.path.startswith(COOKIELESS_PREFIXES) or not carries_session_cookie():
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if request.path.startswith(COOKIELESS_PREFIXES):
            return None
        return super().save_session(app, session, response)
