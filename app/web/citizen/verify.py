"""Verification anyone can do (DESIGN §4, the VeryDS flow): the page a phone camera opens from a
receipt's QR, the issued document itself, and the public keys that sign receipts."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, abort, request

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


class DetailsDeleted(Exception):
    """A genuine receipt whose personal details retention deleted: its documents are gone."""

    def __init__(self, token: str):
        self.token = token


def _genuine_or_404(token: str):
    """A genuine receipt that still has its details; 404 when not genuine, 410 when deleted."""
    result = receipts.verify_token(get_session(), token)
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
    response.set_etag(etag)
    # The token is a capability: shared caches must not keep the document.
    response.cache_control.private = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)


def _filename(result, suffix: str = "") -> str:
    kind = "bukti-pendaftaran" if result.receipt.kind == "booking" else "tanda-terima-perekaman"
    return f"{kind}-{display_code(result.document['b'])}{suffix}.pdf"


@bp.get("/.well-known/jwks.json")
@limiter.exempt
def show_jwks():
    body = json.dumps(receipts.jwks(get_session()), separators=(",", ":"))
    response = Response(body, mimetype="application/jwk-set+json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = JWKS_MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"  # public keys, for any verifier
    return response.make_conditional(request)


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
def download_document(token):
    """The canonical A5 PDF, byte-identical on every download (rendered on the first)."""
    result = _genuine_or_404(token)
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
