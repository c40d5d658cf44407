"""One URL serves the whole page, or for an htmx request only the block that changes."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, make_response, render_template, request
from flask_babel import get_locale
from jinja2_fragments.flask import render_block

from ..extensions import htmx

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
