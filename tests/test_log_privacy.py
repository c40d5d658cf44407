"""No log line carries personal data (issue 9.6, DESIGN §9).

A failed INSERT used to log its SQL parameters (name, phone, birth date, sex, last 4), and
gunicorn's access log would show `/v/{token}` whole (the token carries the name and last 4).
Here a database error is caused in real requests — a trigger refuses booking inserts, on SQLite
with an error, on PostgreSQL with a message that quotes the name — and the captured logs, of the
app in process and of the real gunicorn server (`python -m app.serve`), are searched.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.db import database
from app.domain import accounts
from app.domain.demo import seed_demo
from app.logs import escape_controls, redact, token_digest
from app.migrate import upgrade
from tests.support.databases import fresh_database
from tests.support.live_server import reserve_port, serving
from tests.test_booking_api import _book, _first_slot

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parent.parent

NIK = "3515045203077391"  # a woman born 12-03-2007, serial 7391
NAME, PHONE = "Siti Aminah Lestari", "0812 3456 7890"
PERSONAL = (NIK, NAME, "Lestari", "+6281234567890", "081234567890", "7391", "2007-03-12",
            "120307", "520307")


def break_booking_inserts(connection) -> None:
    """A trigger that fails every booking INSERT (not as a constraint: those are handled)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("CREATE TRIGGER refuse_booking BEFORE INSERT ON booking "
                                "BEGIN SELECT * FROM no_such_table; END"))
        return
    connection.execute(text(
        "CREATE FUNCTION refuse_booking() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused booking of % %', NEW.name, NEW.phone; END $$"))
    connection.execute(text("CREATE TRIGGER refuse_booking BEFORE INSERT ON booking "
                            "FOR EACH ROW EXECUTE FUNCTION refuse_booking()"))


def assert_no_personal_data(log: str) -> None:
    leaked = [item for item in PERSONAL if item in log]
    assert leaked == [], log[-3000:]


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_a_failed_insert_logs_the_statement_but_no_personal_data(client, api_token, session,
                                                                  caplog):
    headers = api_token("kiosk")
    slot = _first_slot(client)
    break_booking_inserts(session.connection())
    session.commit()  # (into the test's outer transaction, rolled back at its end)
    with caplog.at_level(logging.ERROR):
        answer = _book(client, headers, slot["id"], number=NIK, name=NAME, phone=PHONE)
    assert answer.status_code == 500 and answer.json["error"] == "server_error"
    log = caplog.text
    assert "unhandled" in log and "POST /api/v1/bookings" in log
    assert "statement: INSERT INTO booking" in log  # still enough to find the fault
    assert_no_personal_data(log)


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_an_error_on_a_verify_page_logs_the_token_as_a_short_hash(client, api_token, session,
                                                                  caplog):
    answer = _book(client, api_token("kiosk"), _first_slot(client)["id"], number=NIK, name=NAME)
    token = answer.json["verify_url"].rsplit("/", 1)[1]
    session.connection().execute(text("ALTER TABLE signing_key RENAME TO signing_key_gone"))
    session.commit()
    with caplog.at_level(logging.ERROR):
        assert client.get(f"/v/{token}").status_code == 500
    assert f"/v/~{token_digest(token)}" in caplog.text
    assert token not in caplog.text and token[:40] not in caplog.text
    assert_no_personal_data(caplog.text)


def test_control_characters_are_escaped_and_tokens_hashed():
    assert escape_controls("/\x1b[31mred\nforged\u202e") == "/\\x1b[31mred\\x0aforged\\u202e"
    assert redact("GET /v/eyJhbGc.eyJ2.sig/document HTTP/1.1") == \
        f"GET /v/~{token_digest('eyJhbGc.eyJ2.sig')}/document HTTP/1.1"
    assert redact("/api/v1/verify/abc?x=1") == f"/api/v1/verify/~{token_digest('abc')}?x=1"


# --- the real server ----------------------------------------------------------------------------


@pytest.fixture
def live(worker_name, tmp_path):
    """gunicorn through app.serve (as `make run` starts it) on a database of its own; yields
    (base URL, kiosk token, database URL, a function returning the server's output so far)."""
    url = fresh_database(f"{worker_name}_logs", tmp_path)
    upgrade(url)
    listener = reserve_port()
    port = listener.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path),
           "RATE_LIMITS": "off", "BASE_URL": f"http://127.0.0.1:{port}",
           "SECRET_KEY": "log-secret", "DATA_KEY": "log-data-key", "PYTHONUNBUFFERED": "1"}
    app = create_app({k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY",
                                          "DATA_KEY", "BASE_URL")})
    with app.app_context(), database().session() as session:
        seed_demo(session)
        _token, secret = accounts.mint_token(session, "kiosk", "351504")
        session.commit()
    app.extensions["rekam_db"].dispose()
    log_path = tmp_path / "server.log"
    with serving(listener, env, log_path, workers=1, threads=2) as base:
        yield base, {"Authorization": f"Bearer {secret}"}, url, lambda: log_path.read_text(
            errors="replace")


def _raw_request(base: str, request_line: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
        return conn.recv(200)


def _wait_for(read, needle: str) -> str:
    """The server's output once it shows `needle` (the access log line comes after the
    response)."""
    deadline = time.monotonic() + 10
    while needle not in (output := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return output


def test_the_real_servers_logs_hash_tokens_escape_controls_and_hide_personal_data(live):
    base, headers, url, read_log = live
    start = httpx.get(f"{base}/api/v1/offices/351504/slots").json()
    slot_id = next(s["id"] for s in start if s["remaining"] > 0)
    body = {"nik": NIK, "name": NAME, "phone": PHONE, "service": "pemula",
            "desa_code": "3515041003", "slot_id": slot_id}
    booked = httpx.post(f"{base}/api/v1/bookings", json=body, headers=headers)
    assert booked.status_code == 201, booked.text
    token = booked.json()["verify_url"].rsplit("/", 1)[1]
    # The page renders, signs and stores the PDF on this first look (a fresh worker also loads
    # WeasyPrint's fonts): seconds on a loaded machine, more than httpx's 5 s default. This test
    # is about the log, not the speed: wait for the answer.
    assert httpx.get(f"{base}/v/{token}", timeout=120).status_code == 200
    assert httpx.get(f"{base}/api/v1/verify/{token}").status_code == 200
    assert httpx.get(f"{base}/%1b[31mred%0aforged").status_code == 404
    _raw_request(base, b"GET /\x1b[2Jraw HTTP/1.1")

    engine = create_engine(url)
    with engine.begin() as connection:
        break_booking_inserts(connection)
    engine.dispose()
    failed = httpx.post(f"{base}/api/v1/bookings", json={**body, "nik": "3515041203070042"},
                        headers=headers)
    assert failed.status_code == 500

    log = _wait_for(read_log, '"POST /api/v1/bookings HTTP/1.1" 500')
    digest = token_digest(token)
    assert f'"GET /v/~{digest} HTTP/1.1" 200' in log  # the access log, token hashed
    assert f"/api/v1/verify/~{digest}" in log
    assert token not in log and token.split(".")[1][:30] not in log
    assert "\x1b" not in log and "%1b[31mred%0aforged" in log
    assert "unhandled" in log and "statement: INSERT INTO booking" in log
    assert_no_personal_data(log)
