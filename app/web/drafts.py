"""The cookies that point at server-side drafts (DESIGN §3): a random id only, never answers.

The booking pages and the help page (/bantuan, which carries needs into booking) share the one
booking draft cookie, named here once.
"""

from __future__ import annotations

from flask import current_app, request

from ..db import get_session
from ..domain import drafts
from ..domain.drafts import BookingDraft

BOOKING_COOKIE = "booking_draft"


def load_booking() -> tuple[drafts.Draft | None, BookingDraft]:
    return drafts.load_booking(get_session(), request.cookies.get(BOOKING_COOKIE))


def store(response, cookie: str, kind: str, draft, payload):
    """Save the answers (a POST's write session) and point the cookie at them."""
    session = get_session()
    if draft is None:
        draft = drafts.start(session, kind, payload)
    else:
        drafts.save(session, draft, payload)
    session.commit()
    response.set_cookie(cookie, draft.id, httponly=True, samesite="Lax", path="/",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def store_booking(response, draft, payload: BookingDraft):
    return store(response, BOOKING_COOKIE, drafts.BOOKING, draft, payload)
