"""GET /api/v1/verify/{token} (DESIGN §4): is this receipt genuine, and what is its status?

Anything that is not a token we issued — tampered, truncated, signed by another key, garbage —
is `200 {"genuine": false, "status": "invalid"}`: never a 4xx/5xx a caller must special-case.
"""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import BaseModel

from ..answers import kept, turns_at
from ..db import get_session
from ..domain import receipts
from ..extensions import limiter
from ..routing import install_token_converter
from . import api, route

api.record_once(install_token_converter)


class VerifiedDocumentOut(BaseModel):
    """The signed claims (DESIGN §4); empty when the token is not genuine. After retention
    deleted the holder's details, `n` (name) and `k` (last 4 NIK digits) are left out."""

    v: int | None = None
    d: Literal["booking", "recording"] | None = None
    b: str | None = None
    o: str | None = None
    s: str | None = None
    n: str | None = None
    k: str | None = None
    t: str | None = None
    iat: int | None = None
    exp: int | None = None


class VerificationOut(BaseModel):
    genuine: bool
    status: Literal["valid", "cancelled", "used", "expired", "superseded", "invalid"]
    document: VerifiedDocumentOut


@route("/verify/<token:token>", summary="Verify a receipt token (public)",
       responses={200: ("Whether the token is genuine, its status and its claims",
                        VerificationOut)})
@limiter.limit("120 per minute")
@kept
def verify_receipt(token):
    result = receipts.verify_token(get_session(), token)
    if result.genuine:
        turns_at(result.receipt.expires_at)  # "valid" becomes "expired"
    response = jsonify({"genuine": result.genuine, "status": result.status,
                        "document": result.document if result.genuine else {}})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"  # anyone may verify (VeryDS)
    return response
