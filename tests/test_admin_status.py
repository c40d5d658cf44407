"""Service status of the day (issue 15 §6): set from the admin page, shown on the home page and
/status/{office}, returned by the API; people booked for today hear when recording stops."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from app.models import OutboxMessage
from tests.support.booking import book, nik, slot_at

pytestmark = pytest.mark.db


def _hidden(shown):
    form = shown.select_one("main form[method=post]")
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def test_recording_stopped_shows_everywhere_and_tells_people_booked_today(client, session,
                                                                          page, login_as):
    login_as("admin")
    shown = page(client, "/admin/351504/status")
    data = {**_hidden(shown), "recording": "stopped", "printing": "limited",
            "message": "Jaringan ke pusat terputus; kartu dicetak nanti."}
    done = page(client, "/admin/351504/status", method="post", data=data)
    assert "berhenti" in done.select_one(".office-status").get_text()

    client.post("/logout")
    home = page(client, "/")
    assert "berhenti" in home.text and "Jaringan ke pusat terputus" in home.text
    status_page = page(client, "/status/351504")
    assert "Jaringan ke pusat terputus" in status_page.text
    api = client.get("/api/v1/offices/351504/status").get_json()
    assert (api["recording"], api["printing"]) == ("stopped", "limited")


def test_people_still_to_come_today_get_a_message_once(session):
    from app.domain import office_status

    now = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Tuesday 08:00 in Porong
    booked = [book(session, slot_at(session, "351504", now.date(), at, now=now - timedelta(days=1)),
                   nik(n), phone="+6281234567890", now=now - timedelta(days=1))
              for n, at in ((1, time(10)), (2, time(14)))]
    tomorrow = book(session, slot_at(session, "351504", now.date() + timedelta(days=1), time(10),
                                     now=now - timedelta(days=1)), nik(3),
                    now=now - timedelta(days=1))
    office_status.set_status(session, "351504", recording="stopped", printing="normal",
                             message="Listrik padam", actor="user:1", now=now)
    office_status.set_status(session, "351504", recording="stopped", printing="limited",
                             message="Listrik padam", actor="user:1", now=now)
    told = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == "recording_stopped")).all()
    assert sorted(m.booking_id for m in told) == sorted(b.id for b in booked)
    assert tomorrow.id not in {m.booking_id for m in told}
    assert "Listrik padam" in told[0].body


def test_a_status_reason_with_markup_is_refused_on_the_page(client, page, login_as):
    login_as("admin")
    shown = page(client, "/admin/351504/status")
    refused = page(client, "/admin/351504/status", method="post", status=422, data={
        **_hidden(shown), "recording": "limited", "printing": "normal",
        "message": "<b>tutup</b>"})
    assert [a["href"] for a in refused.select(".error-summary a")] == ["#message"]
    assert client.post("/admin/737109/status", data={}).status_code == 403
