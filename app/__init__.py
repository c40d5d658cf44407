"""Rekam: self-service e-KTP recording at the kecamatan office."""

from __future__ import annotations

import hashlib
from functools import cache

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db, formatting
from .config import ROOT, load_config
from .extensions import (
    babel,
    compress,
    csrf,
    current_language,
    htmx,
    limiter,
    select_locale,
)

STATIC_MAX_AGE = 365 * 24 * 3600
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'{script_extra}; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    settings = load_config(config)
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(settings)
    from . import input_guard
    from .web.forms import RekamRequest

    app.request_class = RekamRequest  # a form body that is not UTF-8 is read, not dropped
    from .sessions import RekamSessionInterface

    app.session_interface = RekamSessionInterface()  # no cookie session work for the API

    input_guard.init_app(app)  # NUL and deeply nested JSON answered 4xx before any view
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    formatting.register_filters(app.jinja_env, current_language)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    htmx.init_app(app)

    from .api import api
    from .api.openapi import meta as api_meta
    from .errors import register_error_handlers
    from .web import register_blueprints

    register_blueprints(app)
    app.register_blueprint(api)
    app.register_blueprint(api_meta)
    csrf.exempt(api)  # the API authenticates with bearer tokens, not cookies
    register_error_handlers(app)

    from .cli import register_cli

    register_cli(app)
    _install_response_policies(app)
    return app


@cache
def _static_fingerprint(path: str) -> str:
    try:
        return hashlib.sha256((ROOT / "static" / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def _install_response_policies(app: Flask) -> None:
    @app.url_defaults
    def fingerprint_static_urls(endpoint, values):
        # A content hash in the URL lets browsers keep assets for a year on flaky kiosk links.
        if endpoint == "static" and "filename" in values:
            values.setdefault("v", _static_fingerprint(values["filename"]))

    @app.after_request
    def apply_policies(response):
        # `lang=` looked for in the raw query first: parsing the query and the cookies of every
        # request for a parameter few carry was a tenth of a cached answer's cost (issue 11).
        lang = request.args.get("lang") if "lang=" in request.environ.get("QUERY_STRING", "") \
            else None
        if lang in app.config["LANGUAGES"] and request.cookies.get("lang") != lang:
            response.set_cookie("lang", lang, max_age=STATIC_MAX_AGE, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        if request.endpoint == "static":
            if request.args.get("v") and response.status_code in (200, 304):
                # send_file marks every file `no-cache` (no max_age configured); a versioned
                # URL never changes, so a browser need not ask again for a year.
                response.cache_control.no_cache = None
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.immutable = True
        elif response.mimetype == "text/html" and "Cookie" not in response.headers.get("Vary", ""):
            response.vary.add("Cookie")
        # Every response, every route: the headers are built once (per CSP variant), and
        # only the ones a view did not set itself are added.
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        for name, lowered, value in _security_headers(g.get("csp_script_extra", ""), https):
            if lowered not in present:  # `name in headers` raises and catches a KeyError
                headers.add(name, value)
        return response

    https = app.config["BASE_URL"].startswith("https://")


@cache
def _security_headers(script_extra: str, https: bool) -> tuple[tuple[str, str], ...]:
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(script_extra=script_extra)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if https:
        # Served over HTTPS: browsers must never try plain HTTP again (ASVS 9.1.1).
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    headers += [("Cross-Origin-Opener-Policy", "same-origin"),
                ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")]
    return tuple((name, name.lower(), value) for name, value in headers)
