"""Extensions are created bare here and bound to an app in create_app()."""

from flask import current_app, has_request_context, request
from flask_babel import Babel, get_locale
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

from .adapters import ratelimit_store  # noqa: F401  (registers the rekam-sqlite:// scheme)

babel = Babel()
csrf = CSRFProtect()
compress = Compress()
htmx = HTMX()
# The client address is trustworthy because ProxyFix only believes TRUSTED_PROXIES hops.
limiter = Limiter(key_func=get_remote_address)


def select_locale() -> str:
    """Indonesian first. The API follows Accept-Language; pages follow ?lang=, then the cookie;
    the CLI and jobs speak Indonesian. The languages are the catalogues found at start
    (config LANGUAGES)."""
    if not has_request_context():
        return "id"
    languages = current_app.config["LANGUAGES"]
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages, default="id")
    chosen = request.args.get("lang") or request.cookies.get("lang")
    return chosen if chosen in languages else "id"


def current_language() -> str:
    """The language being answered in; Indonesian outside a request (jobs, CLI, the print)."""
    if not has_request_context():
        return "id"
    return str(get_locale() or "id")
