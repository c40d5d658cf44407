"""Statement budgets (issue 11): each hot route sends at most so many SQL statements on a warm
request, so an N+1 or a lookup repeated in one request fails here, not in review. The budgets
and the measured counts are in BENCHMARKS.md ("Statement budgets (issue 11)")."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from app import create_app
from app.db import database
from app.domain import accounts, capacity, receipts
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import Office, Slot, utcnow
from tests.support.csrf_client import CsrfClient
from tests.support.databases import fresh_database
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import DATA_KEY, make_booking
from tests.support.statements import counting

pytestmark = pytest.mark.db

BUDGETS = {  # route: statements on a warm request, on SQLite and PostgreSQL alike
    "POST /api/v1/bookings": 10,
    "POST /api/v1/bookings, committed": 6,
    "GET /api/v1/offices/{code}/slots": 2,
    "GET /api/v1/verify/{token}": 1,
    "GET /v/{token}": 3,
    "GET /v/{token}/document": 1,
    "GET /.well-known/jwks.json": 0,
    "GET /api/v1/offices": 1,
    "GET /booking/hari": 5,
    "GET /": 0,
}


def _horizon_made(session) -> None:
    """The booking horizon's slot rows, as the slot-horizon job keeps them (app/jobs.py): the
    request that finds a day missing and makes it is rare and not what a budget is for."""
    for pool in ("station", "counter"):
        capacity.ensure_slots(session, session.get(Office, "351504"), pool, utcnow())
    session.commit()


def _week() -> str:
    start = date.today() + timedelta(days=2)
    return f"from={start.isoformat()}&to={(start + timedelta(days=6)).isoformat()}"


def _measure(app, route: str, request):
    """request() once to warm the worker, then once counted; the second answer and its count."""
    first = request()
    assert first.status_code < 400, first.get_data(as_text=True)[:500]
    with counting(app) as seen:
        answer = request()
    assert answer.status_code < 400, answer.get_data(as_text=True)[:500]
    assert len(seen) <= BUDGETS[route], f"{route}: {len(seen)} statements\n{seen.report()}"
    return answer


@pytest.fixture
def token(session) -> str:
    """A fresh receipt's token, as a string: reading it off the row inside a counted request
    would count the row's refresh (the test session is rolled back, so expired, after each)."""
    booking = make_booking(session)
    issued = receipts.issue_receipt(session, booking, "booking", data_key=DATA_KEY)
    session.commit()
    return issued.token


def _booker(client, headers):
    """A function that books a fresh NIK into one slot with room for the warm-up and the
    measured booking."""
    week = client.get(f"/api/v1/offices/351504/slots?{_week()}").json
    slot = next(s for s in week if s["remaining"] >= 2)

    def book():
        return client.post("/api/v1/bookings", headers=headers, json={
            "nik": fresh_nik(), "name": "Siti Aminah", "desa_code": "3515041003",
            "service": "pemula", "slot_id": slot["id"]})

    return book


def test_a_booking_post_stays_within_its_budget(app, client, session, api_token):
    _horizon_made(session)
    book = _booker(client, api_token("kiosk"))
    assert _measure(app, "POST /api/v1/bookings", book).status_code == 201


@pytest.fixture(scope="module")
def committed_app(worker_name, tmp_path_factory):
    """The app over a committed database of its own, no test binding: each session is its own,
    as in production (the binding's one shared session refreshes rows a reader's close expired
    and lets the write session find the reader's rows without a query)."""
    tmp = tmp_path_factory.mktemp("budgets")
    url = fresh_database(f"{worker_name}_budgets", tmp)
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "TESTING": True,
                      "RATE_LIMITS": "off", "BASE_URL": "http://rekam.test",
                      "SECRET_KEY": "test-secret", "DATA_KEY": "test-data-key"})
    app.test_client_class = CsrfClient
    with app.app_context(), database().session() as session:
        seed_demo(session)
        _horizon_made(session)
        _token, secret = accounts.mint_token(session, "kiosk", "351504", None)
        session.commit()
    yield app, {"Authorization": f"Bearer {secret}"}
    app.extensions["rekam_db"].dispose()


def test_a_booking_post_on_committed_data_stays_within_its_budget(committed_app):
    app, headers = committed_app
    book = _booker(app.test_client(), headers)
    assert _measure(app, "POST /api/v1/bookings, committed", book).status_code == 201


def test_a_week_of_slots_stays_within_its_budget(app, client, session):
    _horizon_made(session)
    week = _measure(app, "GET /api/v1/offices/{code}/slots",
                    lambda: client.get(f"/api/v1/offices/351504/slots?{_week()}"))
    assert len(week.json) > 7  # a real week, not an empty answer


def test_the_verify_api_stays_within_its_budget(app, client, token):
    answer = _measure(app, "GET /api/v1/verify/{token}",
                      lambda: client.get(f"/api/v1/verify/{token}"))
    assert answer.json["status"] == "valid"


def test_the_verify_page_stays_within_its_budget(app, client, token):
    client.get(f"/v/{token}/document")  # the document exists, as after the first look
    _measure(app, "GET /v/{token}", lambda: client.get(f"/v/{token}"))


def test_a_stored_document_stays_within_its_budget(app, client, token):
    answer = _measure(app, "GET /v/{token}/document",
                      lambda: client.get(f"/v/{token}/document"))
    assert answer.data.startswith(b"%PDF")


def test_the_key_set_stays_within_its_budget(app, client, token):
    answer = _measure(app, "GET /.well-known/jwks.json",
                      lambda: client.get("/.well-known/jwks.json"))
    assert answer.json["keys"]


def test_the_office_list_stays_within_its_budget(app, client):
    answer = _measure(app, "GET /api/v1/offices", lambda: client.get("/api/v1/offices"))
    assert answer.json


def test_the_booking_day_page_stays_within_its_budget(app, client, session):
    _horizon_made(session)
    assert client.post("/booking", data={"service": "pemula"}).status_code == 303
    assert client.post("/booking/kantor", data={"office": "351504"}).status_code == 303
    _measure(app, "GET /booking/hari", lambda: client.get("/booking/hari"))


def test_the_home_page_stays_within_its_budget(app, client):
    _measure(app, "GET /", lambda: client.get("/"))


def test_a_full_slot_is_refused_on_the_read_without_a_write(committed_app):
    """Issue 11: a read that says full answers 409 before the write transaction: no INSERT,
    no UPDATE, no write lock (on SQLite no BEGIN IMMEDIATE)."""
    app, headers = committed_app
    client = app.test_client()
    slot_id = client.get(f"/api/v1/offices/351504/slots?{_week()}").json[0]["id"]
    with app.app_context(), database().session() as session:
        session.execute(update(Slot).where(Slot.id == slot_id).values(booked=Slot.capacity))
        session.commit()
    # The token's once-a-minute use mark is its own write: have it done before counting.
    assert client.post("/api/v1/bookings", headers=headers, json={}).status_code == 422
    with counting(app) as seen:
        answer = client.post("/api/v1/bookings", headers=headers, json={
            "nik": fresh_nik(), "name": "Siti Aminah", "desa_code": "3515041003",
            "service": "pemula", "slot_id": slot_id})
    assert (answer.status_code, answer.json["error"]) == (409, "slot_full")
    assert all(s.lstrip().upper().startswith("SELECT") for s in seen.counted), seen.report()
    assert not any("IMMEDIATE" in s.upper() for s in seen.skipped)


def test_a_stored_document_is_a_304_for_the_bytes_the_browser_holds(app, client, token):
    """Issue 11: the stored bytes never change: strong ETag, cached immutable (privately: the
    token is a capability), and a repeat with If-None-Match is a 304 sent without loading them."""
    first = client.get(f"/v/{token}/document")
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    cache = first.headers["Cache-Control"]
    assert "immutable" in cache and "private" in cache and "max-age=" in cache
    with counting(app) as seen:
        again = client.get(f"/v/{token}/document",
                           headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(seen) == 1, seen.report()
    assert not re.search(r"\bmine\.pdf\b", seen.counted[0].split(" FROM ")[0]), seen.report()
