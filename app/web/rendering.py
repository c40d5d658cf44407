"""One URL serves the whole page, or for an htmx request only the block that changes."""

from __future__ import annotations

import functools
import gzip
import threading
import time
from urllib.parse import urlencode

import brotli
from flask import Flask, Response, current_app, g, make_response, render_template, request, session
from flask_babel import get_locale
from jinja2_fragments.flask import render_block
from werkzeug.http import parse_accept_header

from ..answers import request_key
from ..db import database
from ..extensions import htmx
from ..sessions import carries_session_cookie

TEXT_SIZES = ("normal", "large", "larger")
CONTRASTS = ("normal", "high")
DISPLAY_COOKIE = "tampilan"


def render(template: str, *, block: str | None = None, status: int = 200, **context) -> Response:
    if block and htmx:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def display_preferences() -> dict[str, str]:
    """Text size and contrast chosen by the person, kept in a cookie (works without JS)."""
    raw = request.cookies.get(DISPLAY_COOKIE, "")
    text, _, contrast = raw.partition(".")
    return {
        "text": text if text in TEXT_SIZES else "normal",
        "contrast": contrast if contrast in CONTRASTS else "normal",
    }


def url_with_lang(lang: str) -> str:
    args = request.args.to_dict()
    args["lang"] = lang
    return f"{request.path}?{urlencode(sorted(args.items()))}"


def install_template_globals(app: Flask) -> None:
    @app.context_processor
    def layout_context():
        prefs = display_preferences()
        html_classes = []
        if prefs["text"] != "normal":
            html_classes.append(f"text-{prefs['text']}")
        if prefs["contrast"] == "high":
            html_classes.append("contrast-high")
        lang = str(get_locale() or "id")
        return {
            "lang": lang,
            "other_lang": "en" if lang == "id" else "id",
            "display": prefs,
            "html_classes": " ".join(html_classes),
            "url_with_lang": url_with_lang,
        }


class PageCache:
    """Rendered pages for anonymous visitors, kept briefly in this process.

    Only views that opt in are cached, and only answers that are the same for every anonymous
    visitor: no signed-in user, no CSRF token or other session state in the page. A worker
    that misses simply renders, so nothing here is needed by another process.
    """

    def __init__(self, ttl: float = 60.0, max_entries: int = 512):
        self.ttl, self.max_entries = ttl, max_entries
        self._lock = threading.Lock()

    @staticmethod
    def _entries() -> dict[tuple, tuple]:
        return current_app.extensions.setdefault("page_cache", {})

    def __call__(self, view):
        @functools.wraps(view)
        def cached_view(*args, **kwargs):
            # The session is opened only when its cookie came (opening it costs a key
            # derivation): a signed-in person's page is their own.
            if not current_app.config.get("PAGE_CACHE", True) or (
                    carries_session_cookie() and session.get("sid")):
                return view(*args, **kwargs)
            # The raw request (path, query, cookies with the language and display choices,
            # Accept-Language, htmx), and no older than the last write anyone committed where
            # that can be watched (app/answers.py): a status set at the office shows at once.
            key = request_key()
            generation = database().generation()
            now = time.monotonic()
            entries = self._entries()
            hit = entries.get(key)
            if hit and hit[0] > now and hit[5] == generation:
                return _cached_response(hit)
            response = make_response(view(*args, **kwargs))
            if (response.status_code == 200 and not session.modified
                    and "csrf_token" not in g and not response.headers.getlist("Set-Cookie")):
                with self._lock:
                    if len(entries) >= self.max_entries:
                        entries.clear()
                    entries[key] = (now + self.ttl, response.get_data(),
                                    response.status_code, response.mimetype, {}, generation)
            return response

        return cached_view


# Compressed once per cached page and kept with it, so at the highest levels: brotli 11 makes
# the home page ~13 % smaller than flask-compress's per-response level 4, and costs ~12 ms once
# a minute instead of ~0.06 ms on every request (measured, BENCHMARKS.md "Profiles").
_ENCODERS = {"br": lambda data: brotli.compress(data, quality=11),
             "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0)}


@functools.lru_cache(maxsize=64)
def _best_encoding(accept_encoding: str) -> str | None:
    """The first of ours the client accepts, for an Accept-Encoding header as sent (browsers
    send a handful of distinct ones: parsed once each)."""
    accepted = parse_accept_header(accept_encoding)
    return next((name for name in _ENCODERS if accepted[name]), None)


# Set whole on a cached page (apply_policies finds Cookie there): building it with
# response.vary.add parses and writes the header again on each call.
CACHED_VARY = "HX-Request, Accept-Encoding, Cookie"


def _cached_response(hit) -> Response:
    """A cached page, compressed with the best encoding the client accepts (the bytes made
    once per entry); flask-compress leaves a response that has its Content-Encoding alone."""
    _expires, body, status, mimetype, encoded, _generation = hit
    encoding = None
    if len(body) >= current_app.config.get("COMPRESS_MIN_SIZE", 500):
        encoding = _best_encoding(request.environ.get("HTTP_ACCEPT_ENCODING", ""))
    if encoding is not None:
        if encoding not in encoded:
            encoded[encoding] = _ENCODERS[encoding](body)
        response = current_app.response_class(encoded[encoding], status, mimetype=mimetype)
        response.headers["Content-Encoding"] = encoding
    else:
        response = current_app.response_class(body, status, mimetype=mimetype)
    response.headers["Vary"] = CACHED_VARY
    return response


cached_page = PageCache()
