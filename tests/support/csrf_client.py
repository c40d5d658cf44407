"""A test client that sends the CSRF token as a browser sends the form's hidden field, so CSRF
stays on in tests (as in production) without every test copying the token by hand."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class CsrfClient(FlaskClient):
    """Fills `csrf_token` into every unsafe page request that has none (a raw or JSON body gets
    the X-CSRFToken header instead), signed over the token kept in this client's session — the
    value the page's hidden field holds. A test that sends no token on purpose says so with
    `client.without_csrf()` or by sending its own `csrf_token`."""

    fill_csrf = True

    @contextmanager
    def without_csrf(self) -> Iterator[FlaskClient]:
        self.fill_csrf = False
        try:
            yield self
        finally:
            self.fill_csrf = True

    def csrf_token(self, **where) -> str:
        """The form token of this client's session at `where` (test_request_context's
        arguments, e.g. base_url: the cookie belongs to a host)."""
        app = self.application
        with self.session_transaction(**where) as session:
            raw = session.get("csrf_token")
            if raw is None:  # as Flask-WTF's generate_csrf makes one
                raw = session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, **kwargs):
        method = str(kwargs.get("method", "GET")).upper()
        where = {"base_url": kwargs["base_url"]} if "base_url" in kwargs else {}
        path = args[0] if args and isinstance(args[0], str) else None
        # The API authenticates with bearer tokens and takes no CSRF token: its requests go as a
        # kiosk sends them (a filled-in token, signed with the time, would change the body between
        # two sends and so the Idempotency-Key fingerprint).
        if (self.fill_csrf and method in UNSAFE and (not args or path is not None)
                and not (path or "").startswith("/api/")
                and self.application.config.get("WTF_CSRF_ENABLED", True)):
            if str(kwargs.get("base_url", "")).startswith("https://"):
                # Over HTTPS Flask-WTF also wants the same-origin Referer a browser sends.
                headers = dict(kwargs.get("headers") or {})
                headers.setdefault("Referer", kwargs["base_url"].rstrip("/") + "/")
                kwargs["headers"] = headers
            data = kwargs.get("data")
            if data is None and "json" not in kwargs:
                kwargs["data"] = data = {}
            if isinstance(data, dict):
                if "csrf_token" not in data:
                    kwargs["data"] = {**data, "csrf_token": self.csrf_token(**where)}
            else:
                headers = dict(kwargs.get("headers") or {})
                headers.setdefault("X-CSRFToken", self.csrf_token(**where))
                kwargs["headers"] = headers
        return super().open(*args, **kwargs)
