"""The officer's queue screen: call next at a desk, recall, skip, put back, send to the other
pool, the kiosks' help calls, and the counter walk-in form (the kiosk's walk-in function)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.domain import lobby
from app.domain.checkin import admit
from app.models import Booking, Ticket, utcnow
from tests.support.receipt_bookings import make_booking, make_slot, random_nik, today_at

pytestmark = pytest.mark.db


def arrive(session, service="pemula"):
    booking = make_booking(session, starts_at=today_at(0), nik=random_nik(), service=service)
    ticket = admit(session, booking, "user:1", now=today_at(0))
    session.commit()
    return ticket


def fresh(session, ticket):
    return session.get(Ticket, ticket.id, populate_existing=True)


def test_officer_calls_next_recalls_skips_and_puts_back(client, page, session, login_as):
    login_as("officer")
    first, second = arrive(session), arrive(session)
    shown = page(client, "/officer/antrean/")
    assert [o["value"] for o in shown.select("#counter option")][:2] == ["351504-1", "351504-2"]
    called = client.post("/officer/antrean/panggil", data={"counter": "351504-1"})
    assert called.status_code == 303
    after = page(client, called.headers["Location"])
    assert "Dipanggil: A-001" in after.select_one(".notice-ok").text
    assert fresh(session, first).status == "called"
    assert client.post(f"/officer/antrean/{first.id}/ulang", data={}).status_code == 303
    assert fresh(session, first).calls == 2
    assert client.post(f"/officer/antrean/{first.id}/lewati", data={}).status_code == 303
    assert fresh(session, first).status == "skipped"
    assert client.post(f"/officer/antrean/{first.id}/kembalikan", data={}).status_code == 303
    assert fresh(session, first).status == "waiting"
    client.post("/officer/antrean/panggil", data={"counter": "351504-1"})
    assert fresh(session, first).status == "called"  # its old place: before A-002
    assert fresh(session, second).status == "waiting"


def test_a_wrong_step_is_refused_with_409(client, page, session, login_as):
    login_as("officer")
    ticket = arrive(session)
    refused = page(client, f"/officer/antrean/{ticket.id}/lewati", method="POST", status=409,
                   data={})
    assert "sudah berubah" in refused.text


def test_sent_from_the_document_counter_to_a_recording_station(client, session, login_as):
    login_as("officer")
    ticket = arrive(session, service="rusak")
    client.post("/officer/antrean/panggil", data={"counter": "351504-L1"})
    answer = client.post(f"/officer/antrean/{ticket.id}/kirim", data={"pool": "station"})
    assert answer.status_code == 303
    assert (fresh(session, ticket).pool, fresh(session, ticket).status) == ("station", "waiting")


def test_an_officer_of_another_office_cannot_touch_this_offices_tickets(client, session,
                                                                       login_as):
    login_as("officer", office_code="737109")
    ticket = arrive(session)
    assert client.post(f"/officer/antrean/{ticket.id}/lewati", data={}).status_code == 404
    refused = client.post("/officer/antrean/panggil", data={"counter": "351504-1"})
    assert refused.status_code == 422
    assert fresh(session, ticket).status == "waiting"


def test_help_calls_show_the_kiosk_and_time_until_answered(client, page, session, login_as):
    login_as("officer")
    kiosk, _code = lobby.create_pairing(session, "351504", "Anjungan pintu depan", "cli")
    call = lobby.call_help(session, kiosk)
    session.commit()
    shown = page(client, "/officer/antrean/")
    assert "Anjungan pintu depan, pukul" in shown.select_one(".help-calls").text
    assert client.post(f"/officer/antrean/bantuan/{call.id}", data={}).status_code == 303
    assert page(client, "/officer/antrean/").select_one(".help-calls") is None


def test_counter_walk_in_uses_the_held_back_share_and_gives_a_ticket(client, page, session,
                                                                     login_as):
    login_as("officer")
    make_slot(session, utcnow().replace(second=0, microsecond=0) - timedelta(minutes=5))
    session.commit()
    page(client, "/officer/antrean/tanpa-jadwal")
    answer = client.post("/officer/antrean/tanpa-jadwal", data={
        "service": "pemula", "nik": random_nik(), "name": "Wati", "desa": "3515041003"})
    if answer.status_code == 409:  # a holiday: no walk-ins today
        assert "sudah habis" in answer.get_data(as_text=True)
        return
    assert answer.status_code == 303, answer.get_data(as_text=True)[:400]
    assert "Nomor antrean baru: B-001" in page(client, answer.headers["Location"]).text
    made = session.exec(select(Booking).where(Booking.channel == "officer")).one()
    assert (made.status, made.held_share) == ("checked_in", True)


def test_counter_walk_in_with_mistakes_is_422_and_keeps_no_nik(client, page, login_as):
    login_as("officer")
    shown = page(client, "/officer/antrean/tanpa-jadwal", method="POST", status=422,
                 data={"service": "pemula", "nik": "3515", "name": "", "desa": ""})
    assert shown.select_one(".error-summary") is not None
    assert 'value="3515"' not in shown.html


def test_the_queue_screen_is_for_officers_only(client, login_as):
    assert client.get("/officer/antrean/").status_code == 302
    login_as("desa_staff")
    assert client.get("/officer/antrean/").status_code == 403

