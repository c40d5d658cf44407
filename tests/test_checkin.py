"""Check-in (one domain function for the scanner page, the kiosk and the API) and the recording
receipt that follows the capture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.domain import booking as bookings
from app.domain import receipts
from app.domain.checkin import CheckInError, check_in
from app.formatting import display_code
from app.models import AuditEntry, Booking, Office
from tests.support.receipt_bookings import DATA_KEY, NIK, make_booking, make_slot, today_at

pytestmark = pytest.mark.db  # conditional UPDATEs with a subquery: PostgreSQL too

MONDAY_10_WIB = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def issue(session, booking, kind="booking", now=None):
    return receipts.issue_receipt(session, booking, kind, data_key=DATA_KEY, now=now)


def test_checking_in_on_the_day_uses_up_the_booking_receipt(session):
    booking = make_booking(session, starts_at=MONDAY_10_WIB + timedelta(hours=2))
    receipt = issue(session, booking, now=MONDAY_10_WIB - timedelta(days=3))
    check_in(session, booking, "user:1", NIK, MONDAY_10_WIB, data_key=DATA_KEY)
    assert (booking.status, booking.checked_in_at) == ("checked_in", MONDAY_10_WIB)
    result = receipts.verify_token(session, receipt.token, MONDAY_10_WIB)
    assert (result.status, result.since) == ("used", MONDAY_10_WIB)
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "booking.check_in",
                                                 AuditEntry.subject == f"booking:{booking.code}")
                        ).first() is not None


def test_a_booking_for_another_day_cannot_be_checked_in(session):
    booking = make_booking(session, starts_at=MONDAY_10_WIB + timedelta(days=1))
    with pytest.raises(CheckInError) as error:
        check_in(session, booking, "user:1", NIK, MONDAY_10_WIB, data_key=DATA_KEY)
    assert error.value.code == "not_today"
    assert session.get(Booking, booking.id).status == "booked"


def test_the_day_is_the_offices_own_day(session):
    # 00:30 WITA on Tuesday is still Monday 16:30 UTC: in Makassar it is already Tuesday.
    slot_start = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    booking = make_booking(session, office_code="737109", starts_at=slot_start)
    with pytest.raises(CheckInError):
        check_in(session, booking, "user:1", NIK, datetime(2026, 11, 23, 15, 30, tzinfo=UTC),
                 data_key=DATA_KEY)
    check_in(session, booking, "user:1", NIK, datetime(2026, 11, 23, 16, 5, tzinfo=UTC),
             data_key=DATA_KEY)
    assert booking.status == "checked_in"


@pytest.mark.parametrize(("status", "refusal"), [
    ("checked_in", "already_checked_in"), ("recorded", "already_checked_in"),
    ("cancelled", "wrong_state"), ("no_show", "wrong_state")])
def test_only_a_booked_booking_can_be_checked_in(session, status, refusal):
    booking = make_booking(session, starts_at=MONDAY_10_WIB, status=status)
    with pytest.raises(CheckInError) as error:
        check_in(session, booking, "user:1", NIK, MONDAY_10_WIB, data_key=DATA_KEY)
    assert error.value.code == refusal


@pytest.mark.parametrize("typed", ["3515045203070003", "12345", "", None])
def test_a_nik_that_is_not_the_holders_checks_nobody_in(session, typed):
    booking = make_booking(session, starts_at=MONDAY_10_WIB)
    with pytest.raises(CheckInError) as error:
        check_in(session, booking, "user:1", typed, MONDAY_10_WIB, data_key=DATA_KEY)
    assert error.value.code == "nik_mismatch"
    assert session.get(Booking, booking.id).status == "booked"


def test_a_wrong_nik_is_refused_before_the_state_is_told(session):
    booking = make_booking(session, starts_at=MONDAY_10_WIB, status="cancelled")
    with pytest.raises(CheckInError) as error:
        check_in(session, booking, "user:1", "3515045203070003", MONDAY_10_WIB,
                 data_key=DATA_KEY)
    assert error.value.code == "nik_mismatch"


def test_checking_in_gives_a_ticket_in_lane_a_numbered_from_one(session):
    first = make_booking(session, starts_at=MONDAY_10_WIB)
    second = make_booking(session, starts_at=MONDAY_10_WIB, nik="3515041203070004")
    one = check_in(session, first, "user:1", NIK, MONDAY_10_WIB, data_key=DATA_KEY)
    two = check_in(session, second, "user:1", "3515041203070004", MONDAY_10_WIB,
                   data_key=DATA_KEY)
    assert [(t.lane, t.number, t.pool) for t in (one, two)] == [("A", 1, "station"),
                                                                ("A", 2, "station")]
    assert one.public_id != two.public_id and len(one.public_id) >= 20


def test_recording_issues_the_receipt_for_card_pickup(session):
    booking = make_booking(session, starts_at=MONDAY_10_WIB)
    check_in(session, booking, "user:1", NIK, MONDAY_10_WIB, data_key=DATA_KEY)
    recording = receipts.mark_recorded(session, booking, "user:1", data_key=DATA_KEY,
                                       now=MONDAY_10_WIB + timedelta(minutes=20))
    assert (booking.status, recording.kind) == ("recorded", "recording")
    assert receipts.verify_token(session, recording.token, MONDAY_10_WIB).status == "valid"
    with pytest.raises(receipts.ReceiptError):
        receipts.mark_recorded(session, booking, "user:1", data_key=DATA_KEY)


def test_cancelling_marks_the_receipt_cancelled(session):
    booking = make_booking(session, starts_at=MONDAY_10_WIB + timedelta(days=1))
    receipt = issue(session, booking)
    bookings.cancel_booking(session, booking, "citizen", now=MONDAY_10_WIB)
    result = receipts.verify_token(session, receipt.token, MONDAY_10_WIB + timedelta(hours=1))
    assert (result.status, result.since) == ("cancelled", MONDAY_10_WIB)


def test_rescheduling_supersedes_the_old_receipt_and_the_new_one_is_valid(session):
    booking = make_booking(session, starts_at=MONDAY_10_WIB + timedelta(days=1))
    old = issue(session, booking, now=MONDAY_10_WIB)
    new_slot = make_slot(session, MONDAY_10_WIB + timedelta(days=2))
    office = session.get(Office, "351504")
    successor = bookings.move_booking(session, booking, new_slot, "citizen", office=office,
                                      now=MONDAY_10_WIB + timedelta(minutes=5))
    new = issue(session, successor, now=MONDAY_10_WIB + timedelta(minutes=5))
    later = MONDAY_10_WIB + timedelta(hours=1)
    assert receipts.verify_token(session, old.token, later).status == "superseded"
    fresh = receipts.verify_token(session, new.token, later)
    assert (fresh.status, fresh.document["b"]) == ("valid", booking.code)
    assert fresh.document["s"] == "2026-11-25T10:00:00+07:00"


# --- the API ---------------------------------------------------------------------------------


def test_kiosk_checks_a_booked_person_in_with_the_nik_and_gets_a_ticket(client, session,
                                                                        api_token):
    booking = make_booking(session, starts_at=today_at(8))
    issue(session, booking)
    session.commit()
    code = f"{booking.code[:4]}-{booking.code[4:]}".lower()  # as typed
    answer = client.post(f"/api/v1/bookings/{code}/check-in", headers=api_token("kiosk"),
                         json={"nik": NIK})
    assert answer.status_code == 200, answer.json
    ticket = answer.json["ticket"]
    assert (ticket["number"], ticket["queue"], ticket["position"]) == ("A-001", "A", 1)
    assert ticket["status_url"] == f"http://rekam.test/tiket/{ticket['id']}"
    assert answer.json["booking"]["code"] == booking.code
    assert answer.json["booking"]["status"] == "checked_in"
    again = client.post(f"/api/v1/bookings/{booking.code}/check-in",
                        headers=api_token("officer"), json={"nik": NIK})
    assert (again.status_code, again.json["error"]) == (409, "already_checked_in")


def test_api_refuses_a_nik_that_does_not_match_with_422(client, session, api_token):
    booking = make_booking(session, starts_at=today_at(8))
    session.commit()
    answer = client.post(f"/api/v1/bookings/{booking.code}/check-in",
                         headers=api_token("kiosk"), json={"nik": "3515045203070003"})
    assert (answer.status_code, answer.json["error"]) == (422, "nik_mismatch")
    assert "nik" in answer.json["errors"]
    missing = client.post(f"/api/v1/bookings/{booking.code}/check-in",
                          headers=api_token("kiosk"))
    assert missing.status_code == 422  # a receipt alone checks nobody in
    assert session.get(Booking, booking.id).status == "booked"


def test_api_refuses_a_cancelled_booking_with_409(client, session, api_token):
    booking = make_booking(session, starts_at=today_at(8), status="cancelled")
    session.commit()
    answer = client.post(f"/api/v1/bookings/{booking.code}/check-in",
                         headers=api_token("kiosk"), json={"nik": NIK})
    assert (answer.status_code, answer.json["error"]) == (409, "wrong_state")


def test_api_refuses_check_in_on_another_day(client, session, api_token):
    booking = make_booking(session, starts_at=today_at(8) + timedelta(days=1))
    session.commit()
    answer = client.post(f"/api/v1/bookings/{booking.code}/check-in",
                         headers={**api_token("officer"), "Accept-Language": "en"},
                         json={"nik": NIK})
    assert (answer.status_code, answer.json["error"]) == (409, "not_today")
    assert "today" in answer.json["message"]


def test_api_check_in_is_scoped_to_the_tokens_office(client, session, api_token):
    booking = make_booking(session, starts_at=today_at(8))
    session.commit()
    other = client.post(f"/api/v1/bookings/{booking.code}/check-in",
                        headers=api_token("kiosk", office="737109"), json={"nik": NIK})
    assert other.status_code == 403
    desa = client.post(f"/api/v1/bookings/{booking.code}/check-in",
                       headers=api_token("desa_staff"), json={"nik": NIK})
    assert desa.status_code == 403
    missing = client.post("/api/v1/bookings/ZZZZZZZZ/check-in", headers=api_token("kiosk"),
                          json={"nik": NIK})
    assert missing.status_code == 404
    assert session.get(Booking, booking.id).status == "booked"


def test_mark_recorded_command_issues_the_recording_receipt(runner, session):
    booking = make_booking(session, starts_at=today_at(8), status="checked_in")
    session.commit()
    result = runner.invoke(args=["mark-recorded", booking.code.lower()])
    assert result.exit_code == 0, result.output
    verify_url = result.output.strip().splitlines()[-1]
    token = verify_url.rsplit("/v/", 1)[1]
    verified = receipts.verify_token(session, token)
    assert (verified.status, verified.document["d"]) == ("valid", "recording")
    refused = runner.invoke(args=["mark-recorded", booking.code])
    assert refused.exit_code == 2


# --- the officer's scanner page (no JavaScript: the whole flow on the server) -----------------


def scanned(session, **fields):
    booking = make_booking(session, starts_at=fields.pop("starts_at", today_at(8)), **fields)
    receipt = issue(session, booking)
    session.commit()
    return booking, receipt


def test_officer_scans_a_receipt_sees_it_is_genuine_and_checks_the_person_in(
        client, page, session, login_as):
    login_as("officer")
    booking, receipt = scanned(session)
    # A keyboard-wedge scanner types the whole QR content: the verify URL.
    shown = page(client, "/officer/scan", method="POST",
                 data={"code": f"http://rekam.test/v/{receipt.token}\n"})
    assert shown.select_one("#scan-server .verdict-word").get_text(strip=True) == "ASLI"
    assert "Status terkini dari server Rekam" in shown.text
    wrong = page(client, "/officer/scan/check-in", method="POST", status=422,
                 data={"checkin-token": receipt.token, "checkin-nik": "3515045203070003"})
    assert "bukan NIK pemilik" in wrong.select_one(".error-summary").text
    assert "3515045203070003" not in wrong.html
    assert session.get(Booking, booking.id).status == "booked"
    done = client.post("/officer/scan/check-in", data={"checkin-token": receipt.token,
                                                       "checkin-nik": NIK})
    assert done.status_code == 303
    confirmed = page(client, done.headers["Location"])
    assert display_code(booking.code) in confirmed.select_one(".notice-ok").text
    assert session.get(Booking, booking.id).status == "checked_in"
    again = page(client, "/officer/scan", method="POST", data={"code": receipt.token})
    assert again.select_one(".verdict-reason")["data-status"] == "used"
    assert again.select_one("form[action='/officer/scan/check-in']") is None


def test_typed_booking_code_finds_the_newest_receipt(client, page, session, login_as):
    login_as("officer")
    booking, _receipt = scanned(session)
    shown = page(client, "/officer/scan", method="POST",
                 data={"code": display_code(booking.code).lower()})
    assert shown.select_one("#scan-server .verdict-word").get_text(strip=True) == "ASLI"
    assert "kode pendaftaran yang diketik" in shown.text


def test_forged_receipt_reads_not_genuine_and_offers_nothing(client, page, session, login_as):
    login_as("officer")
    _booking, receipt = scanned(session)
    forged = receipt.token[:-6] + "AAAAAA"
    shown = page(client, "/officer/scan", method="POST", data={"code": forged})
    assert shown.select_one("#scan-server .verdict-word").get_text(strip=True) == "TIDAK ASLI"
    assert shown.select_one("#nikcheck-nik") is None
    assert client.post("/officer/scan/check-in",
                       data={"checkin-token": forged, "checkin-nik": NIK}).status_code == 409


def test_receipt_for_tomorrow_says_when_and_cannot_be_checked_in(client, page, session,
                                                                 login_as):
    login_as("officer")
    booking, receipt = scanned(session, starts_at=today_at(8) + timedelta(days=1))
    shown = page(client, "/officer/scan", method="POST", data={"code": receipt.token})
    assert "bukan hari ini" in shown.text
    refused = page(client, "/officer/scan/check-in", method="POST", status=409,
                   data={"checkin-token": receipt.token, "checkin-nik": NIK})
    assert "Belum dicatat hadir" in refused.text
    assert session.get(Booking, booking.id).status == "booked"


def test_officer_of_another_office_cannot_check_in(client, page, session, login_as):
    login_as("officer", office_code="737109")
    _booking, receipt = scanned(session)
    shown = page(client, "/officer/scan", method="POST", data={"code": receipt.token})
    assert "kantor kecamatan lain" in shown.text
    assert client.post("/officer/scan/check-in",
                       data={"checkin-token": receipt.token, "checkin-nik": NIK}).status_code == 409


def test_a_typed_code_of_another_offices_booking_tells_only_that(client, page, session,
                                                                 login_as):
    login_as("officer", office_code="737109")
    booking, receipt = scanned(session, name="Rahasia Sekali")
    shown = page(client, "/officer/scan", method="POST",
                 data={"code": display_code(booking.code)})
    assert "milik kantor kecamatan lain" in shown.select_one("#other-office").text
    for leaked in ("Rahasia", receipt.token[:40], "0003"):
        assert leaked not in shown.html
    assert shown.select_one("#nikcheck-nik") is None
    assert shown.select_one("form[action='/officer/scan/check-in']") is None
    # The holder's own document still verifies, as on /v/ — and still cannot be checked in here.
    scanned_doc = page(client, "/officer/scan", method="POST", data={"code": receipt.token})
    assert scanned_doc.select_one("#scan-server .verdict-word").get_text(strip=True) == "ASLI"
    assert "kantor kecamatan lain" in scanned_doc.text


@pytest.mark.parametrize(("typed", "outcome"), [
    ("3515041203070003", "nik-match"),
    ("3515 0412 0307 0003", "nik-match"),
    ("3515045203070003", "nik-no-match"),
])
def test_nik_from_the_kk_is_compared_by_its_keyed_hash_and_never_echoed(
        client, page, session, login_as, typed, outcome):
    login_as("officer")
    booking, receipt = scanned(session)
    shown = page(client, "/officer/scan/nik", method="POST",
                 data={"nikcheck-token": receipt.token, "nikcheck-nik": typed})
    assert shown.select_one(f".{outcome}") is not None
    assert typed.replace(" ", "") not in shown.html.replace(" ", "")
    assert shown.select_one("#nikcheck-nik").get("value", "") == ""
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "booking.nik_check")
                         ).all()[-1]
    assert entry.subject == f"booking:{booking.code}"
    assert typed not in entry.detail and "0003" not in entry.detail


def test_something_that_is_not_a_nik_asks_for_sixteen_digits(client, page, session, login_as):
    login_as("officer")
    _booking, receipt = scanned(session)
    shown = page(client, "/officer/scan/nik", method="POST", status=422,
                 data={"nikcheck-token": receipt.token, "nikcheck-nik": "12345"})
    assert shown.select_one(".error-summary") is not None
    assert "16 angka" in shown.text
    assert shown.soup.title.get_text().startswith("Kesalahan")


def test_empty_scan_asks_for_a_code(client, page, login_as):
    login_as("officer")
    shown = page(client, "/officer/scan", method="POST", status=422, data={"code": ""})
    assert shown.select_one(".error-summary a")["href"] == "#code"


def test_scanner_page_alone_may_compile_webassembly_and_names_its_worker(client, page,
                                                                       login_as):
    login_as("officer")
    shown = page(client, "/officer/scan")
    assert "'wasm-unsafe-eval'" in shown.response.headers["Content-Security-Policy"]
    assert shown.select_one("#scanner")["data-worker-url"] == "/officer/scan-sw.js"
    assert "wasm-unsafe-eval" not in client.get("/officer/").headers["Content-Security-Policy"]
    worker = client.get("/officer/scan-sw.js")
    assert worker.mimetype == "text/javascript" and b"rekam-scan" in worker.data


def test_scanner_is_for_officers_only(client, login_as):
    assert client.get("/officer/scan").status_code == 302
    login_as("desa_staff")
    assert client.get("/officer/scan").status_code == 403
