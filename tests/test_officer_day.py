"""The officer's day (issue 13): today's list of the office, search and filter, check-in from
the list with the NIK, recording by hand, no-show and its undo — on the pages and the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from app.domain import booking as bookings
from app.domain import officer_day, receipts
from app.domain.lifecycle import StepError
from app.formatting import display_code
from app.models import AuditEntry, Booking, utcnow
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import DATA_KEY, NIK, make_booking, today_at

pytestmark = pytest.mark.db


def todays(session, hour=8, **fields):
    booking = make_booking(session, starts_at=today_at(hour), **fields)
    session.commit()
    return booking


def audits(session, code):
    return [(a.action, a.detail) for a in session.exec(
        select(AuditEntry).where(AuditEntry.subject == f"booking:{code}")
        .order_by(AuditEntry.id))]


def test_the_day_list_shows_todays_bookings_of_the_officers_office_with_needs(
        client, page, session, login_as):
    login_as("officer")
    helped = make_booking(session, starts_at=today_at(9), name="Siti Kursi", nik=fresh_nik())
    helped.needs, helped.priority = json.dumps(["wheelchair", "sign_language"]), True
    early = make_booking(session, starts_at=today_at(8), name="Budi Pagi", nik=fresh_nik())
    make_booking(session, starts_at=today_at(8) + timedelta(days=1), name="Besok Saja",
                 nik=fresh_nik())
    make_booking(session, starts_at=today_at(9, "Asia/Makassar"), office_code="737109",
                 name="Kantor Lain", nik=fresh_nik())
    session.commit()
    shown = page(client, "/officer/")
    rows = [r.get_text(" ", strip=True) for r in shown.select("table.day-list tbody tr")]
    assert len(rows) == 2
    assert "Budi Pagi" in rows[0] and "Siti Kursi" in rows[1]  # by slot
    assert "Kursi roda" in rows[1] and "Juru bahasa isyarat" in rows[1]
    assert "Prioritas" in rows[1]
    assert f"••••••••••••{early.nik_last4}" in rows[0]
    assert "Besok Saja" not in shown.text and "Kantor Lain" not in shown.text
    link = shown.select_one("table.day-list a")["href"]
    assert link == f"/officer/booking/{early.code}"


def test_the_day_list_filters_by_status_and_finds_a_code_or_a_name(client, page, session,
                                                                   login_as):
    login_as("officer")
    first = make_booking(session, starts_at=today_at(8), name="Ani Lestari", nik=fresh_nik())
    make_booking(session, starts_at=today_at(8), name="Dewi Sartika", nik=fresh_nik(),
                 status="checked_in")
    session.commit()
    by_status = page(client, "/officer/?status=checked_in")
    assert "Dewi Sartika" in by_status.text and "Ani Lestari" not in by_status.text
    by_code = page(client, f"/officer/?q={display_code(first.code).lower()}")
    assert "Ani Lestari" in by_code.text and "Dewi Sartika" not in by_code.text
    by_name = page(client, "/officer/?q=sarti")
    assert "Dewi Sartika" in by_name.text and "Ani Lestari" not in by_name.text
    fragment = client.get("/officer/?q=sarti", headers={"HX-Request": "true"})
    assert b"<h1" not in fragment.data and b"Dewi Sartika" in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]


def test_check_in_from_the_list_needs_the_holders_nik(client, page, session, login_as):
    login_as("officer")
    booking = todays(session)
    shown = page(client, f"/officer/booking/{booking.code}")
    assert shown.select_one("#check_in-nik") is not None
    wrong = page(client, f"/officer/booking/{booking.code}/check_in", method="POST",
                 status=422, data={"check_in-nik": fresh_nik()})
    assert "tidak cocok" in wrong.select_one(".error-summary").text
    assert not wrong.select_one("#check_in-nik").get("value")  # a NIK is never echoed back
    none = page(client, f"/officer/booking/{booking.code}/check_in", method="POST",
                status=422, data={})
    assert none.select_one(".error-summary") is not None
    assert session.get(Booking, booking.id).status == "booked"
    done = client.post(f"/officer/booking/{booking.code}/check_in", data={"check_in-nik": NIK})
    assert done.status_code == 303
    after = page(client, done.headers["Location"])
    assert "Kedatangan dicatat" in after.select_one("#step-done").text
    session.expire_all()
    assert session.get(Booking, booking.id).status == "checked_in"
    assert [a for a in audits(session, booking.code) if a[0] == "booking.check_in"] == [
        ("booking.check_in", "ticket=A-001")]
    assert NIK not in after.html


def test_the_scanner_checks_in_only_with_the_nik(client, page, session, login_as):
    login_as("officer")
    booking = todays(session)
    receipt = receipts.issue_receipt(session, booking, "booking", data_key=DATA_KEY)
    session.commit()
    alone = page(client, "/officer/scan/check-in", method="POST", status=422,
                 data={"checkin-token": receipt.token})
    assert alone.select_one("#checkin-nik") is not None
    wrong = page(client, "/officer/scan/check-in", method="POST", status=422,
                 data={"checkin-token": receipt.token, "checkin-nik": fresh_nik()})
    assert "bukan NIK pemilik pendaftaran" in wrong.text
    assert session.get(Booking, booking.id).status == "booked"


def test_recording_by_hand_issues_the_recording_receipt(client, page, session, login_as):
    login_as("officer")
    booking = todays(session, status="checked_in")
    assert client.post(f"/officer/booking/{booking.code}/in_capture").status_code == 303
    done = client.post(f"/officer/booking/{booking.code}/recorded")
    assert done.status_code == 303
    shown = page(client, done.headers["Location"])
    assert "Tanda terima perekaman sudah dibuat" in shown.text
    session.expire_all()
    booking = session.get(Booking, booking.id)
    assert booking.status == "recorded"
    receipt = receipts.latest_receipt(session, booking.id, "recording")
    assert receipts.verify_token(session, receipt.token).status == "valid"
    assert shown.select_one(f"a[href='/v/{receipt.token}']") is not None
    assert [a for a, _d in audits(session, booking.code)] == [
        "booking.in_capture", "booking.recorded"]
    again = page(client, f"/officer/booking/{booking.code}/recorded", method="POST",
                 status=409)
    assert "Kartu sudah dicetak dan siap" in again.select_one("#refusal").text


def test_an_officer_cannot_record_someone_not_checked_in(client, page, session, login_as):
    login_as("officer")
    booking = todays(session)
    refused = page(client, f"/officer/booking/{booking.code}/recorded", method="POST",
                   status=409)
    assert "Catat hadir" in refused.select_one("#refusal").text
    assert session.get(Booking, booking.id).status == "booked"


# --- no-show -----------------------------------------------------------------------------------


def test_no_show_by_hand_waits_for_the_slot_and_can_be_undone_the_same_day(session):
    booking = make_booking(session, starts_at=today_at(10))
    with pytest.raises(StepError) as early:
        officer_day.mark_no_show(session, booking, "user:1", now=today_at(9))
    assert early.value.code == "not_started"
    officer_day.mark_no_show(session, booking, "user:1", now=today_at(10) + timedelta(minutes=5))
    assert booking.status == "no_show"
    officer_day.undo_no_show(session, booking, "user:1", now=today_at(11))
    assert (booking.status, booking.no_show_at) == ("booked", None)


def test_the_job_marks_no_shows_after_the_grace_and_the_officer_undoes_it(session):
    booking = make_booking(session, starts_at=today_at(8))
    # The slot ends 08:30; the office's grace is 30 minutes.
    assert bookings.mark_no_shows(session, now=today_at(8) + timedelta(minutes=59)) == 0
    assert bookings.mark_no_shows(session, now=today_at(9)) >= 1
    session.refresh(booking)
    assert booking.status == "no_show"
    officer_day.undo_no_show(session, booking, "user:1", now=today_at(10))
    assert booking.status == "booked"


def test_a_no_show_of_an_earlier_day_cannot_be_undone(session):
    booking = make_booking(session, starts_at=today_at(8) - timedelta(days=1),
                           status="no_show")
    with pytest.raises(StepError) as refused:
        officer_day.undo_no_show(session, booking, "user:1", now=utcnow())
    assert refused.value.code == "not_today"


def test_undo_is_refused_when_the_person_has_booked_again(session):
    nik = fresh_nik()
    booking = make_booking(session, starts_at=today_at(8), status="no_show", nik=nik)
    make_booking(session, starts_at=today_at(8) + timedelta(days=3), nik=nik)
    with pytest.raises(StepError) as refused:
        officer_day.undo_no_show(session, booking, "user:1", now=today_at(12))
    assert refused.value.code == "booked_again"
    assert session.get(Booking, booking.id).status == "no_show"


def test_a_late_no_show_can_still_be_recorded(client, session, login_as):
    login_as("officer")
    booking = todays(session, status="no_show")
    assert client.post(f"/officer/booking/{booking.code}/recorded").status_code == 303
    session.expire_all()
    assert session.get(Booking, booking.id).status == "recorded"


# --- the API -----------------------------------------------------------------------------------


def test_api_day_lists_the_offices_day_without_a_full_nik(client, session, api_token):
    booking = todays(session, name="Rina Hari Ini")
    answer = client.get("/api/v1/offices/351504/day", headers=api_token("officer"))
    assert answer.status_code == 200
    row = next(r for r in answer.json if r["code"] == booking.code)
    assert (row["status"], row["name"], row["nik_masked"]) == (
        "booked", "Rina Hari Ini", f"••••••••••••{NIK[-4:]}")
    assert set(row) == {"code", "status", "slot", "service", "name", "nik_masked", "priority",
                        "needs", "channel", "ticket"}
    assert NIK not in answer.get_data(as_text=True)
    tomorrow = (today_at(8) + timedelta(days=1)).astimezone().date().isoformat()
    later = client.get(f"/api/v1/offices/351504/day?date={tomorrow}",
                       headers=api_token("officer")).json
    assert booking.code not in [r["code"] for r in later]
    assert client.get("/api/v1/offices/351504/day?date=kemarin",
                      headers=api_token("officer")).status_code == 422
    assert client.get("/api/v1/offices/351504/day",
                      headers=api_token("officer", office="737109")).status_code == 403


def test_api_records_by_hand_and_refuses_with_the_allowed_steps(client, session, api_token):
    booking = todays(session)
    headers = api_token("officer")
    refused = client.post(f"/api/v1/bookings/{booking.code}/in-capture", headers=headers)
    assert (refused.status_code, refused.json["error"]) == (409, "wrong_state")
    assert refused.json["allowed"] == ["check_in", "no_show"]
    checked = client.post(f"/api/v1/bookings/{booking.code}/check-in", headers=headers,
                          json={"nik": NIK})
    assert checked.status_code == 200
    started = client.post(f"/api/v1/bookings/{booking.code}/in-capture",
                          headers=api_token("capture_agent"))
    assert started.json["booking"]["status"] == "in_capture"
    done = client.post(f"/api/v1/bookings/{booking.code}/recorded", headers=headers)
    assert done.status_code == 200, done.json
    assert done.json["booking"]["status"] == "recorded"
    token = done.json["verify_url"].rsplit("/v/", 1)[1]
    assert done.json["recording_receipt_url"].endswith(f"/v/{token}/document")
    assert receipts.verify_token(session, token).document["d"] == "recording"
