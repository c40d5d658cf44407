"""Verification anyone can do (DESIGN §4, the VeryDS flow): the page a phone camera opens from a
receipt's QR, the issued document itself, and the public keys that sign receipts."""

from __future__ import annotations

import hashlib
import json
import time

from flask import Blueprint, Response, abort, current_app, request

from ...answers import conditional, kept
from ...db import get_session
from ...documents import NotStored, stored_pdf
from ...domain import capture as captures
from ...domain import receipts
from ...extensions import limiter
from ...formatting import display_code
from ...routing import install_token_converter
from ..receipt_documents import view_of
from ..rendering import render

bp = Blueprint("verify", __name__)
bp.record_once(install_token_converter)
# Generous for an office scanning all day behind one address, tight for someone trying tokens.
VERIFY_LIMIT = "120 per minute"
JWKS_MAX_AGE = 300  # devices re-check often enough to learn a rotated key the same day
JWKS_WORKER_SECONDS = 60  # how long a worker keeps the key set it read (see _key_set)
# A stored document never changes (its bytes are what was issued): a browser may keep it.
DOCUMENT_MAX_AGE = 30 * 24 * 3600


class DetailsDeleted(Exception):
    """A genuine receipt whose personal details retention deleted: its documents are gone."""

    def __init__(self, token: str):
        self.token = token


def _genuine_or_404(token: str, *, with_pdf: bool = False):
    """A genuine receipt that still has its details; 404 when not genuine, 410 when deleted."""
    result = receipts.verify_token(get_session(), token, with_pdf=with_pdf)
    if not result.genuine:
        abort(404)
    if result.details_deleted:
        raise DetailsDeleted(token)
    return result


@bp.errorhandler(DetailsDeleted)
def answer_gone(error: DetailsDeleted):
    response = render("citizen/verify/gone.html", token=error.token, status=410)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _pdf_response(pdf: bytes, filename: str, etag: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    # The QR opens the document to view it; an "Unduh" link (?unduh=1) saves it to the phone.
    disposition = "attachment" if request.args.get("unduh") == "1" else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    _cache_hard(response, etag)
    return response.make_conditional(request)


def _cache_hard(response: Response, etag: str) -> Response:
    """The stored bytes never change, so a strong ETag (their SHA-256) and `immutable`. Its
    status may (a cancel): that is on /v/ and the verify API, never cached. `private`: the
    token is a capability and the document names its holder, so no shared cache keeps it (and
    retention's 410 is not held off by one)."""
    response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.max_age = DOCUMENT_MAX_AGE
    response.cache_control.immutable = True
    return response


def _not_modified(sha256: str | None) -> Response | None:
    """304 when the browser already holds these bytes: answered before they are loaded."""
    if sha256 is None or sha256 not in request.if_none_match:
        return None
    return _cache_hard(Response(status=304), sha256)


def _filename(result, suffix: str = "") -> str:
    kind = "bukti-pendaftaran" if result.receipt.kind == "booking" else "tanda-terima-perekaman"
    return f"{kind}-{display_code(result.document['b'])}{suffix}.pdf"


def _key_set() -> tuple[bytes, tuple[tuple[str, str], ...]]:
    """The key set's bytes and headers, kept JWKS_WORKER_SECONDS per worker: a rotated key is
    published receipts.PUBLISH_LEAD before it signs, longer than this worker's copy and a
    verifier's (JWKS_MAX_AGE) together, so no copy lacks a key that signs. A key that left the
    set may be shown a minute longer, which verifies nothing new."""
    kept = current_app.extensions.get("rekam_jwks")
    now = time.monotonic()
    if kept is not None and kept[0] > now:
        return kept[1], kept[2]
    keys = receipts.jwks(get_session())
    body = json.dumps(keys, separators=(",", ":")).encode()
    headers = (("Content-Type", "application/jwk-set+json"),
               ("ETag", f'"{hashlib.sha256(body).hexdigest()[:32]}"'),
               ("Cache-Control", f"public, max-age={JWKS_MAX_AGE}"),
               ("Access-Control-Allow-Origin", "*"))  # public keys, for any verifier
    if keys["keys"]:  # none yet: the first booking makes one, so ask again next time
        current_app.extensions["rekam_jwks"] = (now + JWKS_WORKER_SECONDS, body, headers)
    return body, headers


@bp.get("/.well-known/jwks.json")
@limiter.exempt
def show_jwks():
    # The headers are made with the kept key set: this is fetched by every verifier.
    body, headers = _key_set()
    return conditional(Response(body, headers=list(headers)))


@bp.get("/v/<token:token>")
@limiter.limit(VERIFY_LIMIT)
def show_verification(token):
    session = get_session()
    result = receipts.verify_token(session, token)
    if not result.genuine:  # issue 16: a station's provisional tanda terima?
        provisional = captures.verify_provisional(session, token)
        if provisional.genuine:
            return _provisional_page(provisional)
    view = sha256 = None
    if result.genuine:
        view = view_of(result)
        sha256 = result.receipt.sha256
        if sha256 is None and not result.details_deleted:  # after retention: never render
            try:
                _pdf, sha256 = stored_pdf(result.receipt, view)
            except NotStored:
                # Genuine or not is what the person came for: say it now; the document is
                # rendered and kept on a later visit (issue 9 §10).
                sha256 = None
    response = render("citizen/verify/show.html", result=result, r=view, sha256=sha256, token=token)
    response.headers["Cache-Control"] = "no-store"  # the status can change at any moment
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _provisional_page(provisional) -> Response:
    response = render("citizen/verify/provisional.html", p=provisional,
                      code_display=display_code(provisional.claims["b"]))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/v/<token>/document")
@limiter.limit(VERIFY_LIMIT)
@kept
def download_document(token):
    """The canonical A5 PDF, byte-identical on every download (rendered on the first)."""
    # A browser asking "still these bytes?" gets its 304 without them being read.
    result = _genuine_or_404(token, with_pdf=not request.if_none_match)
    if (unchanged := _not_modified(result.receipt.sha256)) is not None:
        return unchanged
    view = view_of(result) if result.receipt.sha256 is None else None
    try:
        pdf, sha256 = stored_pdf(result.receipt, view)
    except NotStored:
        abort(503)
    if pdf is None:  # retention emptied the receipt while this download rendered it
        raise DetailsDeleted(token)
    return _pdf_response(pdf, _filename(result), sha256)


@bp.get("/v/<token>/document-80mm")
@limiter.limit(VERIFY_LIMIT)
def download_thermal(token):
    """The same receipt laid out for an 80 mm thermal printer (kiosk); same token and QR.
    Rendered once and kept like the A5: a kiosk reprinting must not render each time."""
    result = _genuine_or_404(token)
    view = view_of(result) if result.receipt.sha256_80mm is None else None
    try:
        pdf, sha256 = stored_pdf(result.receipt, view, "80mm")
    except NotStored:
        abort(503)
    if pdf is None:
        raise DetailsDeleted(token)
    return _pdf_response(pdf, _filename(result, "-80mm"), sha256)


@bp.get("/v/<token>/receipt")
@limiter.limit(VERIFY_LIMIT)
def show_receipt(token):
    """The receipt as an accessible page: to show on a phone, or to print at home."""
    result = _genuine_or_404(token)
    view = view_of(result)
    response = render("citizen/verify/receipt.html", result=result, r=view, token=token)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
