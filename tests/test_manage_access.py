"""The NIK is a weak secret (DESIGN §3, issue 9 §9): wrong NIKs are counted per booking code
over its whole life; after ten, managing online needs a one-time code sent to the booking's
phone, and the holder is told. A lost code goes to the phone, never to the screen."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from app.domain import booking as bookings
from app.domain import manage_access
from app.models import ManageAttempt, Office, OutboxMessage
from tests.support.booking import MONDAY_MORNING, book, slot_at, tuesday
from tests.support.receipt_bookings import NIK, make_booking

pytestmark = pytest.mark.db

PHONE = "+6281234567890"


def _booking(session, phone=PHONE, **fields):
    booking = make_booking(session, starts_at=datetime.now(UTC) + timedelta(days=3), **fields)
    booking.phone = phone
    session.add(booking)
    session.commit()
    return booking


def _wrong(serial: int) -> str:
    return f"35150412030{serial + 7000:05d}"[:16]


def _try(client, code, nik):
    return client.post("/booking/kelola", data={"code": code, "nik": nik})


def _messages(session, booking, kind):
    return session.exec(select(OutboxMessage).where(OutboxMessage.booking_id == booking.id,
                                                    OutboxMessage.kind == kind)).all()


def _one_time_code(session, booking) -> str:
    body = _messages(session, booking, "manage_code")[-1].body
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_ten_wrong_niks_tell_the_holder_and_then_the_right_nik_needs_a_one_time_code(
        client, page, session):
    booking = _booking(session)
    for attempt in range(9):
        assert _try(client, booking.code, _wrong(attempt)).status_code == 422
    assert _messages(session, booking, "manage_warning") == []
    assert _try(client, booking.code, _wrong(9)).status_code == 422  # the tenth
    warning = _messages(session, booking, "manage_warning")
    assert len(warning) == 1 and warning[0].recipient == PHONE
    assert "10 percobaan" in warning[0].body and NIK not in warning[0].body

    opened = _try(client, booking.code, NIK)
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/booking/{booking.code}/kode"
    assert client.get(f"/booking/{booking.code}").status_code == 200  # the start form, not in
    assert "Budi" not in page(client, f"/booking/{booking.code}").text
    form = page(client, f"/booking/{booking.code}/kode")
    assert form.select_one('input[name="one_time_code"]')
    one_time = _one_time_code(session, booking)
    stored = session.get(ManageAttempt, booking.code, populate_existing=True)
    assert stored.otp_hash and one_time not in stored.otp_hash  # only its keyed hash is kept
    wrong = page(client, f"/booking/{booking.code}/kode", method="POST", status=422,
                 data={"one_time_code": f"{(int(one_time) + 1) % 10 ** 6:06d}"})
    assert wrong.select_one(".error-summary a")["href"] == "#one_time_code"
    done = client.post(f"/booking/{booking.code}/kode", data={"one_time_code": one_time})
    assert done.status_code == 303 and done.headers["Location"] == f"/booking/{booking.code}"
    mine = page(client, f"/booking/{booking.code}")
    assert mine.h1 == "Jadwal Anda" and "Budi Santoso" in mine.text
    assert "Ada 10 percobaan" in mine.select_one("#failed-attempts").text
    # Spent: the same code does not open another browser.
    other = client.application.test_client()
    _try(other, booking.code, NIK)
    assert other.post(f"/booking/{booking.code}/kode",
                      data={"one_time_code": one_time}).status_code == 422


def test_past_the_limit_a_wrong_nik_looks_like_a_right_one_but_sends_nothing(client, session):
    booking = _booking(session)
    for attempt in range(10):
        _try(client, booking.code, _wrong(attempt))
    refused = _try(client, booking.code, _wrong(20))
    assert refused.status_code == 303  # no oracle for the NIK: the same answer as a right one
    assert refused.headers["Location"] == f"/booking/{booking.code}/kode"
    assert _messages(session, booking, "manage_code") == []
    assert manage_access.failures(session, booking.code) == 11
    _try(client, booking.code, NIK)  # the holder asks: a code is sent
    one_time = _one_time_code(session, booking)
    # a browser whose NIK was wrong cannot use the holder's code
    stranger = client.application.test_client()
    _try(stranger, booking.code, _wrong(21))
    assert stranger.post(f"/booking/{booking.code}/kode",
                         data={"one_time_code": one_time}).status_code == 422
    assert stranger.get(f"/booking/{booking.code}").status_code == 200
    assert "Budi" not in stranger.get(f"/booking/{booking.code}").get_data(as_text=True)


def test_a_one_time_code_allows_five_tries_and_fifteen_minutes(session):
    booking = _booking(session)
    key = b"test-data-key"
    start = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    for _attempt in range(10):
        manage_access.record_failure(session, booking, start)
    manage_access.send_one_time_code(session, booking, key, start)
    one_time = _one_time_code(session, booking)
    late = start + manage_access.ONE_TIME_CODE_LIFETIME
    assert not manage_access.check_one_time_code(session, booking.code, one_time, key, late)
    manage_access.send_one_time_code(session, booking, key, start)
    one_time = _one_time_code(session, booking)
    for _ in range(manage_access.ONE_TIME_CODE_TRIES):
        assert not manage_access.check_one_time_code(session, booking.code, "000000"
                                                     if one_time != "000000" else "111111",
                                                     key, start)
    assert not manage_access.check_one_time_code(session, booking.code, one_time, key, start)


def test_the_count_survives_a_reschedule(client, session):
    slot = slot_at(session, "351504", tuesday(1), time(9, 0))
    booking = book(session, slot, NIK, phone=PHONE)
    session.commit()
    for attempt in range(4):
        _try(client, booking.code, _wrong(attempt))
    later = slot_at(session, "351504", tuesday(1), time(10, 0))
    successor = bookings.reschedule_booking(session, booking, later.id, "citizen",
                                            office=session.get(Office, "351504"),
                                            now=MONDAY_MORNING)
    session.commit()
    assert successor.code == booking.code
    assert manage_access.failures(session, successor.code) == 4
    for attempt in range(4, 10):
        _try(client, booking.code, _wrong(attempt))
    assert _messages(session, successor, "manage_warning")  # the phone of the current row
    assert _try(client, booking.code, NIK).headers["Location"].endswith("/kode")


def test_a_lost_code_goes_to_the_bookings_phone_never_to_the_screen(client, page, session):
    booking = _booking(session)
    asked = page(client, "/booking/lupa-kode")
    assert asked.select_one('select[name="office"]') and asked.select_one('input[name="nik"]')
    sent = client.post("/booking/lupa-kode", data={"nik": NIK, "office": "351504"})
    unknown = client.post("/booking/lupa-kode", data={"nik": "3515045203070099",
                                                      "office": "351504"})
    elsewhere = client.post("/booking/lupa-kode", data={"nik": NIK, "office": "737109"})
    assert sent.status_code == unknown.status_code == elsewhere.status_code == 303
    assert sent.headers["Location"] == unknown.headers["Location"] == \
        elsewhere.headers["Location"]
    shown = page(client, sent.headers["Location"])
    assert booking.code not in shown.html and booking.code[:4] not in shown.text
    messages = _messages(session, booking, "lost_code")
    assert len(messages) == 1 and messages[0].recipient == PHONE
    assert f"{booking.code[:4]}-{booking.code[4:]}" in messages[0].body
    assert NIK not in messages[0].body


def test_the_lost_code_form_says_how_to_fix_it_in_either_language(client, page):
    failed = page(client, "/booking/lupa-kode?lang=en", method="POST", status=422,
                  data={"nik": "12", "office": ""})
    assert failed.soup.title.get_text().startswith("Error")
    links = {a["href"] for a in failed.select(".error-summary a")}
    assert links == {"#nik", "#office"}
    assert "16" in failed.select_one("#nik-error").text


@pytest.mark.app_config(RATE_LIMITS="on")
def test_lost_code_requests_are_throttled_per_nik(client):
    for office in ("351504", "737109", "351504"):
        assert client.post("/booking/lupa-kode", data={"nik": NIK, "office": office},
                           environ_base={"REMOTE_ADDR": f"10.0.0.{len(office)}"}
                           ).status_code == 303
    assert client.post("/booking/lupa-kode", data={"nik": NIK, "office": "351504"},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429


def test_sent_secrets_are_not_kept_in_the_outbox(session):
    from app.adapters import notify

    booking = _booking(session)
    for _attempt in range(10):
        manage_access.record_failure(session, booking)
    manage_access.send_one_time_code(session, booking, b"test-data-key")
    delivered = []
    notify.deliver_pending(session, url="https://gateway.test/", token=None,
                           send=lambda url, payload, token: delivered.append(payload))
    assert any(re.search(r"\b\d{6}\b", p["body"]) for p in delivered)
    for message in _messages(session, booking, "manage_code"):
        assert message.status == "sent" and not re.search(r"\d{6}", message.body)
