"""URL pieces both faces share: the page at /v/<token> and the API's /verify/<token> read the
same receipt tokens, so they parse them with one converter."""

from __future__ import annotations

from werkzeug.routing import BaseConverter


class TokenConverter(BaseConverter):
    """Whatever follows /v/, newlines and slashes included: a mangled token must reach the view
    (and read "not genuine"), not fall through to a 404."""

    regex = r"[\s\S]+"
    part_isolating = False
    weight = 200  # like `path`: the /v/<token>/document rules still win


def install_token_converter(state) -> None:
    """For `Blueprint.record_once`: the `token` converter on the app that registers it."""
    state.app.url_map.converters.setdefault("token", TokenConverter)
