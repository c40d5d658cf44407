"""When the database cannot be reached or written (issue 9 §10): /healthz says so with a 503,
every other request answers 503 in the caller's language (a page, or the API's JSON error
shape), never a 500; and verifying a receipt still works when its PDF cannot be stored.

Real failures, no mocks: a SQLite file opened read-only, a SQLite database at its
`max_page_count` (SQLITE_FULL), a PostgreSQL URL to a port where nothing listens.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
from contextlib import closing

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, text

from app import create_app
from app.db import database
from app.domain import accounts, receipts
from app.domain.demo import seed_demo
from app.migrate import upgrade
from tests.support.receipt_bookings import DATA_KEY, make_booking


def _app(url: str, instance, **extra):
    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "TESTING": True,
                       "WTF_CSRF_ENABLED": False, "RATE_LIMITS": "off",
                       "BASE_URL": "http://rekam.test", "SECRET_KEY": "test-secret",
                       "DATA_KEY": DATA_KEY, **extra})


@pytest.fixture
def sqlite_file(tmp_path):
    """A migrated SQLite file with the demo offices, a kiosk token and a booking's receipt."""
    path = tmp_path / "rekam.sqlite3"
    upgrade(f"sqlite:///{path}")
    app = _app(f"sqlite:///{path}", tmp_path / "instance")
    with app.app_context(), database().session() as session:
        seed_demo(session)
        _token, secret = accounts.mint_token(session, "kiosk", "351504")
        booking = make_booking(session)
        token = receipts.issue_receipt(session, booking, "booking", data_key=DATA_KEY).token
        session.commit()
    app.extensions["rekam_db"].dispose()
    return path, secret, token


def _read_only(path, instance):
    return _app(f"sqlite:///file:{path}?mode=ro&uri=true", instance)


def test_health_is_503_when_the_database_answers_reads_but_refuses_writes(sqlite_file,
                                                                          tmp_path):
    path, _secret, _token = sqlite_file
    assert _app(f"sqlite:///{path}", tmp_path / "i").test_client().get("/healthz").json == \
        {"status": "ok", "db": "ok"}
    answer = _read_only(path, tmp_path / "i").test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json["db"] == "unavailable"


def test_health_is_503_when_the_database_is_full(sqlite_file, tmp_path):
    path, _secret, _token = sqlite_file
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("VACUUM")
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
    app = _app(f"sqlite:///{path}", tmp_path / "i")
    for engine in (database_of(app).read_engine, database_of(app).write_engine):
        engine.dispose()
        event.listen(engine, "connect", lambda dbapi, _record, n=pages: dbapi.execute(
            f"PRAGMA max_page_count = {n}"))
    # A real SQLITE_FULL on the next insert that needs a page:
    with app.app_context(), database().write_engine.begin() as connection, \
            pytest.raises(Exception, match="full"):
        connection.execute(text("CREATE TABLE filler (x)"))
        connection.execute(text("INSERT INTO filler SELECT randomblob(4096) "
                                "FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3)"))
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json == {"status": "error", "db": "unavailable"}


def database_of(app):
    return app.extensions["rekam_db"]


def test_a_write_the_database_refuses_is_a_503_in_json_for_the_api(sqlite_file, tmp_path):
    path, secret, _token = sqlite_file
    client = _read_only(path, tmp_path / "i").test_client()
    answer = client.post("/api/v1/bookings", headers={"Authorization": f"Bearer {secret}",
                                                      "Accept-Language": "en"},
                         json={"nik": "3515045203070003", "name": "Siti", "service": "pemula",
                               "slot_id": 1})
    assert answer.status_code == 503
    assert answer.json["error"] == "unavailable"
    assert "could not read or save" in answer.json["message"]
    assert answer.headers["Retry-After"]


def test_a_write_the_database_refuses_is_a_503_page_in_the_persons_language(sqlite_file,
                                                                           tmp_path):
    path, _secret, _token = sqlite_file
    app = _read_only(path, tmp_path / "i")
    answer = app.test_client().post("/booking?lang=en", data={"service": "pemula"})
    assert answer.status_code == 503 and answer.mimetype == "text/html"
    html = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert html.html["lang"] == "en"
    assert html.h1.get_text(strip=True) == "The service is not available right now"
    indonesian = app.test_client().post("/booking", data={"service": "pemula"})
    assert indonesian.status_code == 503
    assert "belum tersimpan" in indonesian.get_data(as_text=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns: nothing listens there


def test_a_database_that_cannot_be_reached_is_a_503_not_a_500(tmp_path):
    app = _app(f"postgresql+psycopg://app@127.0.0.1:{_closed_port()}/rekam", tmp_path / "i")
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    api = client.get("/api/v1/offices", headers={"Accept-Language": "en"})
    assert (api.status_code, api.json["error"]) == (503, "unavailable")
    page = client.post("/booking?lang=en", data={"service": "pemula"})
    assert page.status_code == 503 and "The service is not available right now" in page.get_data(as_text=True)


def test_verification_shows_when_its_pdf_cannot_be_stored_and_stores_it_later(sqlite_file,
                                                                            tmp_path):
    path, _secret, token = sqlite_file
    first = _read_only(path, tmp_path / "i").test_client().get(f"/v/{token}")
    assert first.status_code == 200
    shown = BeautifulSoup(first.get_data(as_text=True), "html.parser")
    assert "ASLI" in shown.h1.get_text() and shown.select_one("#document-pending")
    assert shown.select_one("#document-sha256") is None  # no hash of bytes nobody kept
    later = _app(f"sqlite:///{path}", tmp_path / "i").test_client()
    again = BeautifulSoup(later.get(f"/v/{token}").get_data(as_text=True), "html.parser")
    digest = again.select_one("#document-sha256").get_text(strip=True)
    assert hashlib.sha256(later.get(f"/v/{token}/document").data).hexdigest() == digest
