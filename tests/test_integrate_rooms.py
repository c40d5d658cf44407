"""The seams between the rooms built in parallel (issues 12–17): the officer's day list shows
the lobby (tickets, help calls, the queue links) and the capture alarms; the admin pages reach
the kiosks, the blangko stock and the outreach, coverage and IKM pages; the IKM drivers read
the ticket's call time and the station outages; the kiosk hands out a survey code once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.domain import capture as captures
from app.domain import lobby
from app.domain.checkin import check_in
from app.models import Office, Station
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import DATA_KEY, make_booking, today_at

pytestmark = pytest.mark.db

STATION = "351504-1"


def _checked_in(session, name):
    nik = fresh_nik()
    booking = make_booking(session, starts_at=today_at(8), name=name, nik=nik)
    session.commit()
    check_in(session, booking, "user:1", nik, data_key=DATA_KEY)
    session.commit()
    return booking


def _alarm(session, office="351504"):
    """A station of the office whose agent says the iris camera is not ready."""
    station = session.exec(select(Station).where(Station.office_code == office,
                                                 Station.pool == "station")).first()
    captures.heartbeat(session, station, agent_version="t", outbox_queued=0, station_key=None,
                       devices=[{"kind": "iris", "status": "not_ready"}])
    session.commit()
    return station


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


# --- 2. station alarms on the officer's day and the admin's office overview -------------------


def test_station_alarms_show_on_the_officer_day_list(client, page, session, login_as):
    station = _alarm(session)
    login_as("officer")
    alarms = page(client, "/officer/").select_one("#station-alarms")
    assert alarms is not None and station.code in alarms.text
    assert alarms.select_one("a")["href"] == f"/officer/stasiun/#station-{station.code}"


def test_station_alarms_show_on_the_admin_office_overview(client, page, session, login_as):
    station = _alarm(session)
    login_as("admin", office_code=None)
    alarms = page(client, "/admin/351504/").select_one("#station-alarms")
    assert alarms is not None and station.code in alarms.text
    assert page(client, "/admin/737109/").select_one("#station-alarms") is None


# --- 3. the admin's people page: the office's kiosks ------------------------------------------


def test_admin_pairs_a_kiosk_sees_the_link_once_and_revokes_it(client, page, session, login_as):
    from app.models import AuditEntry, Kiosk

    login_as("admin")
    made = client.post("/admin/351504/people/kiosks", data={"kiosk-name": "Anjungan lobi"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    shown = page(client, "/admin/351504/people", method="GET")
    link = made.get_data(as_text=True).split('class="secret-once"><code>')[1].split("<")[0]
    assert "/kiosk/pair/" in link and link not in shown.html
    assert "Anjungan lobi" in shown.select_one("#kiosks table").text
    assert client.get(link[link.index("/kiosk/"):]).status_code == 200  # the kiosk may pair
    kiosk = session.exec(select(Kiosk).where(Kiosk.name == "Anjungan lobi")).one()
    ask = page(client, shown.select_one("#kiosks table a")["href"])
    done = client.post(ask.select_one("main form")["action"], data={})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Kiosk, kiosk.id).revoked_at is not None
    assert client.get(link[link.index("/kiosk/"):]).status_code == 404
    assert {a.action for a in session.exec(select(AuditEntry).where(
        AuditEntry.subject == f"kiosk:{kiosk.id}"))} == {"kiosk.pairing", "kiosk.revoke"}
    assert "dicabut" in page(client, "/admin/351504/people").select_one("#kiosks").text


def test_a_kiosk_of_another_office_cannot_be_revoked_here(client, session, login_as):
    other, _code = lobby.create_pairing(session, "737109", "Lain", "cli")
    session.commit()
    login_as("admin")
    assert client.post(f"/admin/351504/people/kiosks/{other.id}/revoke",
                       data={}).status_code == 404


# --- 4. the admin navigation reaches the outreach, coverage and IKM pages ----------------------


def test_the_admin_nav_links_outreach_coverage_and_ikm_for_the_office_shown(
        client, page, session, login_as):
    login_as("admin", office_code=None)  # an admin of every office: the link must carry it
    nav = page(client, "/admin/737109/").select("nav.admin-nav a")
    hrefs = {a.text: a["href"] for a in nav}
    for path in ("/admin/keliling", "/admin/cakupan", "/admin/ikm/"):
        href = next(h for h in hrefs.values() if h.split("?")[0] == path)
        assert href == f"{path}?kantor=737109"
        shown = page(client, href)
        assert session.get(Office, "737109").name in shown.text


# --- 5. the blangko stock on the admin's settings page -----------------------------------------


def test_admin_sees_the_blangko_stock_and_tops_it_up_audited(client, page, session, login_as):
    from app.models import AuditEntry

    login_as("admin")
    before = session.get(Office, "351504").blangko_stock
    shown = page(client, "/admin/351504/settings")
    assert f"Sisa blangko: {before} kartu." in shown.select_one("#blangko-stock").text
    wrong = page(client, "/admin/351504/settings/blangko", method="POST", status=422,
                 data={"blangko-count": "-3"})
    assert wrong.select_one(".error-summary") is not None
    done = client.post("/admin/351504/settings/blangko", data={"blangko-count": "25"})
    assert done.status_code == 303
    after = page(client, done.headers["Location"])
    assert f"Sisa blangko: {before + 25} kartu." in after.select_one("#blangko-stock").text
    session.expire_all()
    assert session.get(Office, "351504").blangko_stock == before + 25
    assert [a.detail for a in session.exec(select(AuditEntry).where(
        AuditEntry.action == "office.blangko_top_up"))] == ["count=25"]


# --- 6. the IKM drivers read the ticket's call time and the stations' outage history ----------


def test_the_wait_until_call_reads_the_tickets_call_time(session):
    from datetime import UTC, datetime, timedelta

    from app.domain import ikm, ikm_drivers
    from app.models import Ticket

    now = datetime(2026, 11, 20, 7, tzinfo=UTC)
    start = now - timedelta(hours=3)
    for serial, (called, capture) in enumerate(((5, 30), (None, 12), (15, 40)), start=1):
        booking = make_booking(session, starts_at=start, nik=fresh_nik())
        booking.status, booking.checked_in_at = "recorded", start
        booking.in_capture_at = start + timedelta(minutes=capture)
        session.add(booking)
        session.flush()
        if called is not None:
            session.add(Ticket(public_id=f"t{serial}", booking_id=booking.id,
                               office_code="351504", day=start.date(), lane="A", number=serial,
                               pool="station", status="done", due_at=start,
                               called_at=start + timedelta(minutes=called)))
    session.flush()
    month = ikm.month_of(start, "Asia/Jakarta")
    figures = ikm_drivers.drivers(session, "351504", ikm.Period("month", month.year,
                                                                month.month), now=now)
    # the ticket's call (5, 15), the recording's start only where no ticket was called (12)
    assert (figures.wait.count, figures.wait.p50, figures.wait.p90) == (3, 12, 15)


def test_station_uptime_reads_the_outage_history(session):
    from datetime import UTC, datetime, timedelta
    from fractions import Fraction

    from app.domain import ikm, ikm_drivers, stations

    period = ikm.Period("month", 2026, 11)
    bounds = ikm.utc_bounds(period, "Asia/Jakarta")
    codes = [s.code for s in session.exec(select(Station).where(
        Station.office_code == "351504", Station.pool == "station"))]
    assert len(codes) == 2
    down = bounds[0] + timedelta(days=3)
    stations.set_station_state(session, codes[0], "down", "user:1", now=down)
    stations.set_station_state(session, codes[0], "active", "user:1",
                               now=down + timedelta(days=6))
    session.flush()
    end = datetime(2026, 12, 1, 0, tzinfo=UTC)  # after the period: the whole month counts
    uptime = ikm_drivers.station_uptime(session, "351504", bounds, now=end)
    days = Fraction(int((bounds[1] - bounds[0]).total_seconds()), 86400)
    assert uptime.uptime == 1 - Fraction(6, 2 * days)
    assert uptime.active_now == 2


# --- 7. the survey slip at the kiosk --------------------------------------------------------------


def test_the_kiosk_ticket_screen_gives_one_survey_code_once_never_kept(client, page, session):
    from app.domain import ikm
    from app.models import SurveyToken, Ticket
    from tests.test_kiosk import pair

    pair(client, session)
    booking = _checked_in(session, "Sari Menilai")
    ticket = session.exec(select(Ticket).where(Ticket.booking_id == booking.id)).one()
    shown = page(client, f"/kiosk/tiket/{ticket.public_id}")
    button = next(f for f in shown.select("main form")
                  if "Beri penilaian" in f.text)
    before = len(session.exec(select(SurveyToken)).all())
    answer = client.post(button["action"], data={})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    slip = page(client, button["action"], method="POST", data={})  # a second press: a new code
    first = answer.get_data(as_text=True).split('class="survey-slip-code">')[1].split("<")[0]
    second = slip.select_one(".survey-slip-code").text
    assert first != second
    assert ikm.check_token(session, first).state == "ok"
    session.expire_all()
    assert len(session.exec(select(SurveyToken)).all()) == before + 2
    normalised = ikm.normalise_token(first)
    kept = session.get(Ticket, ticket.id)
    assert normalised not in repr(kept.model_dump()) and first not in repr(kept.model_dump())
    again = page(client, f"/kiosk/tiket/{ticket.public_id}")
    assert first not in again.html and normalised not in again.html
