"""The kiosk's survey slip (issues 12 and 17): "Beri penilaian" on the ticket screen gives the
person one single-use survey code, shown on this answer only (every kiosk answer is no-store)
and never kept with the ticket or anywhere else: the server keeps the code's hash, with the
office and month only (ikm.issue_survey_tokens). A limit per kiosk device keeps one kiosk from
pouring out codes."""

from __future__ import annotations

import hashlib

from flask import abort, request

from ...db import get_session
from ...domain import ikm
from ...extensions import limiter
from ..officer.survey import survey_slip_context
from .device import COOKIE, current_kiosk
from .forms import ActionForm
from .routes import bp, kiosk_page

SLIPS_PER_KIOSK = "30 per hour"  # a busy lobby serves fewer people than this in an hour


def _device_key() -> str:
    device = hashlib.sha256((request.cookies.get(COOKIE) or "").encode()).hexdigest()[:16]
    return f"kiosk-survey:{device}"


@bp.post("/survei")
@limiter.limit(SLIPS_PER_KIOSK, key_func=_device_key)
def issue_survey_slip():
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    [token] = ikm.issue_survey_tokens(session, current_kiosk().office_code, 1)
    session.commit()
    return kiosk_page("kiosk/survey.html", slip=survey_slip_context([token])[0])
