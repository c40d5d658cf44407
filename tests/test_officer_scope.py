"""Office scoping (issue 13): an officer of another office gets 403 on every route of the
officer's day and the card, page and API — walked from the app's own URL map, so a route added
later without the check fails here."""

from __future__ import annotations

import pytest

from app.web.officer.day_forms import STEP_LABELS
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import NIK, make_booking, today_at

pytestmark = pytest.mark.db

# The routes of issue 13 that act on one booking or one office.
PAGE_ENDPOINTS = {"officer.show_officer_booking", "officer.take_booking_step"}
API_ENDPOINTS = {"api.show_office_day_json", "api.start_capture_json", "api.mark_recorded_json",
                 "api.set_card_json", "api.check_in_booking_json"}
BODIES = {"api.set_card_json": {"status": "card_ready"}, "api.check_in_booking_json":
          {"nik": NIK}}


def _urls(app, endpoints, code):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in endpoints:
            continue
        method = "POST" if "POST" in rule.methods else "GET"
        steps = STEP_LABELS if "step" in rule.arguments else [None]
        for step in steps:
            values = {"code": "351504" if "day" in rule.rule else code}
            if step:
                values["step"] = step
            with app.test_request_context():
                found.append((method, rule.build(values, append_unknown=False)[1],
                              rule.endpoint))
    assert {endpoint for _m, _u, endpoint in found} == endpoints
    return found


def test_an_officer_of_another_office_is_refused_on_every_route(app, client, session,
                                                                login_as, api_token):
    booking = make_booking(session, starts_at=today_at(8), status="checked_in",
                           name="Rahasia Porong", nik=fresh_nik())
    session.commit()
    login_as("officer", office_code="737109")
    for method, url, _endpoint in _urls(app, PAGE_ENDPOINTS, booking.code):
        answer = client.open(url, method=method, data={})
        assert answer.status_code == 403, (method, url, answer.status_code)
        assert b"Rahasia" not in answer.data
    other = api_token("officer", office="737109")
    for method, url, endpoint in _urls(app, API_ENDPOINTS, booking.code):
        answer = client.open(url, method=method, headers=other, json=BODIES.get(endpoint))
        assert answer.status_code == 403, (method, url, answer.status_code)
    session.refresh(booking)
    assert booking.status == "checked_in"


def test_the_day_list_shows_only_the_officers_own_office(client, page, session, login_as):
    make_booking(session, starts_at=today_at(8), name="Rahasia Porong", nik=fresh_nik())
    session.commit()
    login_as("officer", office_code="737109")
    shown = page(client, "/officer/?kantor=351504")
    assert "Rahasia Porong" not in shown.text
    assert "Panakkukang" in shown.h1
