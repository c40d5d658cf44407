"""The call board and the ticket's own page: numbers and desks, never a name or a NIK; the
whole page without JavaScript, the changing block alone for htmx."""

from __future__ import annotations

import pytest

from app.domain import queue
from app.domain.checkin import admit
from app.models import Office
from tests.support.receipt_bookings import make_booking, random_nik, today_at

pytestmark = pytest.mark.db


def arrive(session, name="Rahasia Sekali"):
    booking = make_booking(session, starts_at=today_at(0), nik=random_nik(), name=name)
    return admit(session, booking, "user:1", now=today_at(0))


def test_the_board_shows_the_call_and_the_next_numbers_without_names(client, page, session):
    for _ in range(3):
        arrive(session)
    queue.call_next(session, session.get(Office, "351504"), "351504-2", "user:1")
    session.commit()
    shown = page(client, "/display/351504")
    latest = shown.select_one(".board-call-latest")
    assert latest.select_one(".board-number").text == "A-001"
    assert latest.select_one(".board-counter").text == "Stasiun perekaman 2"
    assert [li.text for li in shown.select(".board-next-list li")] == ["A-002", "A-003"]
    assert "Rahasia" not in shown.html
    assert shown.select_one("#board")["hx-trigger"] == "every 3s"
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in shown.html


def test_an_htmx_request_gets_only_the_board(client, session):
    arrive(session)
    session.commit()
    answer = client.get("/display/351504", headers={"HX-Request": "true"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body and "board-next" in body
    assert "HX-Request" in answer.headers["Vary"]


def test_an_unknown_office_has_no_board(client):
    assert client.get("/display/999999").status_code == 404


def test_the_ticket_page_tells_the_position_and_then_the_desk(client, page, session):
    _ahead, mine = arrive(session), arrive(session)
    session.commit()
    shown = page(client, f"/tiket/{mine.public_id}")
    assert shown.h1 == "Nomor antrean A-002"
    assert "Anda berikutnya" in shown.text or "Di depan Anda" in shown.text
    assert "Rahasia" not in shown.html and "0003" not in shown.select_one("main").text
    office = session.get(Office, "351504")
    queue.call_next(session, office, "351504-1", "user:1")
    session.commit()
    assert "Anda berikutnya" in page(client, f"/tiket/{mine.public_id}").text
    queue.call_next(session, office, "351504-1", "user:1")
    session.commit()
    called = page(client, f"/tiket/{mine.public_id}")
    assert "Silakan ke Stasiun perekaman 1" in called.text
    fragment = client.get(f"/tiket/{mine.public_id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)


def test_an_unknown_ticket_is_404(client):
    assert client.get("/tiket/no-such-ticket-id").status_code == 404
