"""The seams between the rooms built in parallel (issues 12–17): the officer's day list shows
the lobby (tickets, help calls, the queue links) and the capture alarms; the admin pages reach
the kiosks, the blangko stock and the outreach, coverage and IKM pages; the IKM drivers read
the ticket's call time and the station outages; the kiosk hands out a survey code once."""

from __future__ import annotations

import pytest

from app.domain import lobby
from app.domain.checkin import check_in
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import DATA_KEY, make_booking, today_at

pytestmark = pytest.mark.db

def _checked_in(session, name):
    nik = fresh_nik()
    booking = make_booking(session, starts_at=today_at(8), name=name, nik=nik)
    session.commit()
    check_in(session, booking, "user:1", nik, data_key=DATA_KEY)
    session.commit()
    return booking


# --- 1. the officer's day list and the lobby ----------------------------------------------------


def test_the_day_list_shows_the_ticket_the_queue_links_and_open_help_calls(
        client, page, session, login_as):
    login_as("officer")
    _checked_in(session, "Ani Bertiket")
    make_booking(session, starts_at=today_at(9), name="Budi Belum", nik=fresh_nik())
    kiosk, _code = lobby.create_pairing(session, "351504", "Anjungan pintu depan", "cli")
    call = lobby.call_help(session, kiosk)
    session.commit()
    shown = page(client, "/officer/")
    headers = [th.text for th in shown.select("table.day-list thead th")]
    assert headers[-1] == "Tiket"
    rows = {tr.select("td")[2].text: tr.select("td")[-1].text
            for tr in shown.select("table.day-list tbody tr")}
    assert rows == {"Ani Bertiket": "A-001", "Budi Belum": ""}
    links = [a["href"] for a in shown.select("ul.actions a")]
    assert "/officer/antrean/" in links and "/officer/antrean/tanpa-jadwal" in links
    assert "Anjungan pintu depan, pukul" in shown.select_one("#help-calls").text
    answered = client.post(shown.select_one("#help-calls form")["action"], data={})
    assert answered.status_code == 303 and call.id
    assert page(client, "/officer/").select_one("#help-calls") is None


def test_api_day_gives_the_ticket_number(client, session, api_token):
    booking = _checked_in(session, "Rina Bertiket")
    answer = client.get("/api/v1/offices/351504/day", headers=api_token("officer"))
    row = next(r for r in answer.json if r["code"] == booking.code)
    assert row["ticket"] == "A-001"
