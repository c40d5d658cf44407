"""The kiosk room: pairing and revocation, the three doors, plain refusals, the ticket page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.domain import capacity, lobby, receipts
from app.models import AuditEntry, Booking, HelpCall, Kiosk, Office, Slot, Ticket, utcnow
from tests.support.receipt_bookings import (
    DATA_KEY,
    NIK,
    make_booking,
    make_slot,
    random_nik,
    today_at,
)

pytestmark = pytest.mark.db


def pair(client, session, office="351504", name="Anjungan lobi"):
    kiosk, code = lobby.create_pairing(session, office, name, "cli")
    session.commit()
    answer = client.post(f"/kiosk/pair/{code}", data={})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    return session.get(Kiosk, kiosk.id)


@pytest.fixture
def kiosk(client, session):
    return pair(client, session)


def test_an_unpaired_browser_is_refused_with_plain_instructions(client, page):
    refused = page(client, "/kiosk/", status=403)
    assert refused.h1 == "Perangkat ini bukan anjungan"
    assert "pair-kiosk" in refused.text


def test_a_staff_sign_in_never_makes_a_browser_a_kiosk(client, page, login_as):
    login_as("admin")
    assert client.get("/kiosk/").status_code == 403
    login_as("officer")
    assert client.get("/kiosk/sudah-daftar").status_code == 403


def test_pairing_once_makes_the_browser_the_offices_kiosk(client, page, session, runner):
    result = runner.invoke(args=["pair-kiosk", "--office", "351504", "--name", "Lobi 1"])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("http://rekam.test/kiosk/pair/")
    path = url.removeprefix("http://rekam.test")
    shown = page(client, path)
    assert "Lobi 1" in shown.text
    answer = client.post(path, data={})
    assert answer.status_code == 303
    cookie = answer.headers["Set-Cookie"]
    assert "rekam_kiosk=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    home = page(client, "/kiosk/")
    assert home.h1 == "Selamat datang. Pilih salah satu:"
    assert "Perekaman hari ini" in home.text
    assert home.response.headers["Cache-Control"] == "no-store"
    # The link is spent: a second browser cannot pair with it.
    other = client.application.test_client()
    assert other.get(path).status_code == 404
    assert other.post(path, data={}).status_code == 404


def test_a_revoked_kiosk_stops_at_once(client, session, kiosk):
    assert client.get("/kiosk/").status_code == 200
    lobby.revoke(session, kiosk.id, "user:1")
    session.commit()
    assert client.get("/kiosk/").status_code == 403


def test_an_expired_pairing_link_is_void(client, session):
    _kiosk, code = lobby.create_pairing(session, "351504", None, "cli",
                                        now=utcnow() - timedelta(hours=25))
    session.commit()
    assert client.get(f"/kiosk/pair/{code}").status_code == 404


def _booked_today(session, nik=NIK, **fields):
    booking = make_booking(session, starts_at=today_at(8), nik=nik, **fields)
    receipt = receipts.issue_receipt(session, booking, "booking", data_key=DATA_KEY)
    session.commit()
    return booking, receipt


def test_a_booked_person_types_the_code_and_nik_and_gets_a_ticket(client, page, session, kiosk):
    booking, _receipt = _booked_today(session)
    nik_page = page(client, "/kiosk/sudah-daftar", method="POST",
                    data={"code": booking.code.lower()})
    assert nik_page.h1 == "Ketik NIK Anda"
    done = client.post("/kiosk/sudah-daftar/nik", data={"code": booking.code, "nik": NIK})
    assert done.status_code == 303
    ticket = page(client, done.headers["Location"])
    assert ticket.select_one(".ticket-number").get_text(strip=True).endswith("A-001")
    assert ticket.select_one(".ticket-qr img")["src"].startswith("data:image/png")
    assert "Budi" not in ticket.html and NIK not in ticket.html
    assert session.get(Booking, booking.id).status == "checked_in"
    actor = session.exec(select(AuditEntry).where(AuditEntry.action == "booking.check_in")
                         ).all()[-1].actor
    assert actor == f"kiosk:{kiosk.id}"


def test_a_scanned_receipt_finds_the_booking_too(client, page, session, kiosk):
    _booking, receipt = _booked_today(session)
    shown = page(client, "/kiosk/sudah-daftar", method="POST",
                 data={"code": f"http://rekam.test/v/{receipt.token}"})
    assert shown.h1 == "Ketik NIK Anda"


def test_a_wrong_nik_is_refused_in_plain_words_and_never_echoed(client, page, session, kiosk):
    booking, _receipt = _booked_today(session)
    wrong = page(client, "/kiosk/sudah-daftar/nik", method="POST", status=422,
                 data={"code": booking.code, "nik": "3515045203070003"})
    assert "bukan NIK pemilik pendaftaran" in wrong.select_one(".error-summary").text
    assert "3515045203070003" not in wrong.html
    assert session.get(Booking, booking.id).status == "booked"


@pytest.mark.parametrize(("fields", "words"), [
    ({"status": "cancelled"}, "sudah dibatalkan"),
    ({"starts_at": today_at(8) + timedelta(days=1)}, "bukan hari ini"),
])
def test_a_cancelled_or_other_day_booking_is_refused_plainly(client, page, session, kiosk,
                                                              fields, words):
    booking = make_booking(session, **{"starts_at": today_at(8), **fields})
    session.commit()
    refused = page(client, "/kiosk/sudah-daftar/nik", method="POST", status=409,
                   data={"code": booking.code, "nik": NIK})
    assert words in refused.text


def test_a_used_receipt_is_refused_before_the_nik(client, page, session, kiosk):
    booking, receipt = _booked_today(session)
    client.post("/kiosk/sudah-daftar/nik", data={"code": booking.code, "nik": NIK})
    again = page(client, "/kiosk/sudah-daftar", method="POST", status=422,
                 data={"code": receipt.token})
    assert "sudah terpakai" in again.text


def test_a_code_of_another_office_is_not_found_here(client, page, session, kiosk):
    booking = make_booking(session, starts_at=today_at(8, "Asia/Makassar"),
                           office_code="737109")
    session.commit()
    refused = page(client, "/kiosk/sudah-daftar", method="POST", status=422,
                   data={"code": booking.code})
    assert "tidak ditemukan" in refused.text


def test_help_calls_an_officer_with_the_kiosks_name(client, page, session, kiosk):
    answer = client.post("/kiosk/bantuan", data={})
    assert answer.status_code == 303
    shown = page(client, answer.headers["Location"])
    assert shown.h1 == "Petugas segera datang"
    client.post("/kiosk/bantuan", data={})  # pressed twice: still one call
    calls = lobby.open_help_calls(session, session.get(Office, "351504"))
    assert [c.kiosk_name for c in calls] == ["Anjungan lobi"]
    assert len(session.exec(select(HelpCall)).all()) == 1


def test_reset_forgets_the_person(client, session, kiosk):
    with client.session_transaction() as browser:
        browser["kiosk_draft"] = "something"
    answer = client.get("/kiosk/selesai")
    assert (answer.status_code, answer.headers["Location"]) == (303, "/kiosk/")
    with client.session_transaction() as browser:
        assert "kiosk_draft" not in browser


def test_walk_in_with_a_place_today_gets_a_b_ticket(client, page, session, kiosk):
    make_slot(session, utcnow().replace(second=0, microsecond=0) - timedelta(minutes=5))
    session.commit()
    form = page(client, "/kiosk/belum-daftar")
    assert form.select_one("#service") is not None
    answer = client.post("/kiosk/belum-daftar", data={
        "service": "pemula", "nik": random_nik(), "name": "Wati", "desa": "3515041003"})
    if answer.status_code == 200:  # a holiday: no walk-ins today, the next slots instead
        assert "sudah penuh" in answer.get_data(as_text=True)
        return
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    ticket = session.exec(select(Ticket).order_by(Ticket.id.desc())).first()
    assert ticket.lane == "B" and answer.headers["Location"].endswith(ticket.public_id)


def test_walk_in_when_today_is_full_offers_next_slots_and_books_one(client, page, session,
                                                                   kiosk):
    capacity.ensure_slots(session, session.get(Office, "351504"), "station", utcnow())
    end = utcnow() + timedelta(days=1)
    for slot in session.exec(select(Slot).where(Slot.office_code == "351504",
                                                Slot.starts_at < end)):
        slot.booked = slot.capacity
        session.add(slot)
    session.commit()
    nik = random_nik()
    offered = page(client, "/kiosk/belum-daftar", method="POST", data={
        "service": "pemula", "nik": nik, "name": "Wati", "desa": "3515041003"})
    assert offered.h1 == "Hari ini sudah penuh"
    assert nik not in offered.html
    buttons = offered.select("form[action='/kiosk/belum-daftar/jadwal'] input[name=slot]")
    assert buttons, "the next bookable slots are offered"
    booked = page(client, "/kiosk/belum-daftar/jadwal", method="POST",
                  data={"slot": buttons[0]["value"]})
    assert booked.h1 == "Jadwal Anda sudah dipesan"
    made = session.exec(select(Booking).where(Booking.channel == "kiosk")).all()
    assert [b.slot_id for b in made] == [int(buttons[0]["value"])]


def test_walk_in_with_mistakes_says_each_and_keeps_no_nik(client, page, kiosk):
    shown = page(client, "/kiosk/belum-daftar", method="POST", status=422,
                 data={"service": "", "nik": "35150412", "name": "", "desa": ""})
    summary = shown.select_one(".error-summary").text
    assert "layanan" in summary.lower()
    assert "35150412" not in shown.html
