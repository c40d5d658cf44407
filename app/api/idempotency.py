"""`Idempotency-Key` on API POSTs that create something (app/domain/idempotency.py has the rule).

    @route(..., "POST", ...)
    @idempotent
    def create_thing_json():
        ...
        return answer(session, body, 201)   # stores the answer, commits, responds

`answer` is the one commit point of such a view: the stored answer and what the view created
commit together. A refusal (ApiError) or a failure frees the key, so the client may try again;
only a created thing's answer is replayed.
"""

from __future__ import annotations

import functools
import logging

from flask import Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from ..db import get_session
from ..domain import idempotency
from . import ApiError, current_token

HEADER = "Idempotency-Key"
log = logging.getLogger(__name__)

BAD_KEY = _l("Idempotency-Key harus 1 sampai 255 karakter ASCII yang terlihat, tanpa spasi.")
KEY_IN_USE = _l("Permintaan lain dengan Idempotency-Key ini masih diproses. Tunggu jawabannya, "
                "lalu kirim lagi bila perlu.")
KEY_REUSED = _l("Idempotency-Key ini sudah dipakai untuk permintaan lain. Pakai kunci baru untuk "
                "permintaan baru.")

PARAMETER = {
    "name": HEADER, "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
    "description": "A unique key per request (e.g. a UUID), per IETF draft-ietf-httpapi-"
                   "idempotency-key-header. Sending the same request again with the same key "
                   "returns the first answer (same status, byte-identical body; header "
                   "`Idempotent-Replayed: true`) and creates nothing more. The same key with "
                   "another body is 422 `idempotency_key_reused`; while the first request is "
                   "still being answered, 409 `idempotency_key_in_use`. Keys are scoped to the "
                   "API token and kept for 24 hours. Refusals (4xx) are not kept: a retry is "
                   "judged afresh.",
}


def _json(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype=current_app.json.mimetype)


def idempotent(view):
    """Honour an Idempotency-Key header on this view (scoped to the caller's API token)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get(HEADER)
        if header is None:
            return view(*args, **kwargs)
        try:
            key = idempotency.parse_key(header)
        except idempotency.BadKey:
            raise ApiError(400, "invalid_idempotency_key", BAD_KEY, {HEADER: BAD_KEY}) from None
        fingerprint = idempotency.request_fingerprint(
            current_app.config["DATA_KEY"].encode(), request.method, request.path,
            request.get_data(cache=True))
        session = get_session()
        outcome = idempotency.claim(session, current_token().id, key, fingerprint)
        if isinstance(outcome, idempotency.Replay):
            response = _json(outcome.body, outcome.status)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        if isinstance(outcome, idempotency.InUse):
            raise ApiError(409, "idempotency_key_in_use", KEY_IN_USE)
        if isinstance(outcome, idempotency.Reused):
            raise ApiError(422, "idempotency_key_reused", KEY_REUSED, {HEADER: KEY_REUSED})
        g.idempotency_claim = outcome
        try:
            response = view(*args, **kwargs)
        except BaseException:
            _release(session, g.pop("idempotency_claim", None))
            raise
        _release(session, g.pop("idempotency_claim", None))  # answered without `answer`
        return response

    wrapper.idempotent = True
    return wrapper


def _release(session, claimed) -> None:
    if claimed is None:
        return
    try:
        idempotency.release(session, claimed)
    except SQLAlchemyError as error:  # the database is failing: the claim lapses by itself
        log.warning("could not release an idempotency claim: %s", type(error).__name__)


def answer(session, body: dict, status: int) -> Response:
    """Commit the view's work with its answer (kept when a key was sent) and respond."""
    text = current_app.json.dumps(body) + "\n"
    claimed = g.get("idempotency_claim")
    if claimed is not None:
        idempotency.complete(session, claimed, status, text)
    session.commit()
    g.pop("idempotency_claim", None)  # answered: the key now replays this
    return _json(text, status)
