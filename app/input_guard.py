"""Input no view should have to think about (issue 9.7).

- A NUL character in the path, a query value or a JSON string: PostgreSQL refuses NUL in text,
  so it would reach a query and end as a 500. Nobody types one; the request is answered 400 in
  the caller's language before any view runs. The verify routes are left alone: their contract
  is "anything that is not our token is `invalid`", with 200, and they never query with a
  malformed token (app/adapters/signing.token_kid). Posted forms are left to their own rules,
  which refuse control characters with a 422 and the form shown again (names: app/domain/names;
  free text: PlainText; codes, NIKs and choices never reach a query unparsed).
- JSON nested deeper than Python's recursion limit: the parser raised RecursionError (a 500);
  now it is a body that is not JSON like any other (the API's 422).
"""

from __future__ import annotations

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l

NUL = "\x00"
# Their contract answers every malformed token itself (200 `invalid`, or a 404 for documents).
VERIFY_ENDPOINTS = frozenset({"verify.show_verification", "verify.download_document",
                              "verify.download_thermal", "verify.show_receipt",
                              "api.verify_receipt"})
NUL_MESSAGE = _l("Permintaan ini berisi karakter yang tidak bisa dibaca (NUL). Hapus karakter "
                 "itu lalu kirim lagi.")


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deep is invalid JSON rather than a crash."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def _strings(value):
    """Every key and string in a JSON value, without recursion (the value may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def carries_nul() -> bool:
    if NUL in request.path:
        return True
    query = request.environ.get("QUERY_STRING", "")
    if NUL in query or "%00" in query:  # else no parsed key or value can hold one
        args = request.args
        if any(NUL in key or any(NUL in v for v in args.getlist(key)) for key in args):
            return True
    if request.is_json:
        payload = request.get_json(silent=True)
        return any(NUL in s for s in _strings(payload))
    return False


def init_app(app: Flask) -> None:
    app.json = GuardedJSONProvider(app)
    app.json.ensure_ascii = False

    @app.before_request
    def refuse_nul():
        if request.endpoint in VERIFY_ENDPOINTS or not carries_nul():
            return None
        from .errors import error_response

        return error_response(400, str(NUL_MESSAGE))
