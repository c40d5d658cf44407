"""Retention (DESIGN §9, issue 9 point 2): personal data goes `office.retention_days` after a
booking ends; rows and counts stay; /v/{token} still says whether a document was genuine.

Moved clocks throughout: `purge_due(session, now=...)` a day before and a day after.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import date, datetime, time, timedelta

import pytest
from joserfc import jws
from joserfc.jwk import KeySet
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine, select

from app import create_app, jobs
from app.adapters import notify
from app.db import database
from app.domain import booking as bookings
from app.domain import drafts, receipts, reports, retention
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import (
    AuditEntry,
    Booking,
    Draft,
    Office,
    OutboxMessage,
    Receipt,
    utcnow,
)
from tests.support.booking import MONDAY_MORNING, book, nik, slot_at, tuesday
from tests.support.databases import fresh_database
from tests.support.receipt_bookings import DATA_KEY, make_booking

pytestmark = pytest.mark.db
DAY = timedelta(days=1)
PHONE = "+6281234567890"
NOTHING = {"bookings": 0, "receipts": 0, "outbox": 0, "drafts": 0, "home_visits": 0,
           "reports": 0, "idempotency_records": 0}


def _audit_text(session) -> str:
    return " ".join(f"{e.action} {e.subject} {e.detail}"
                    for e in session.exec(select(AuditEntry)).all())


def _fresh(session, row):
    return session.get(type(row), row.id, populate_existing=True)


def _booked_with_everything(session, number: str, name: str = "Siti Aminah", **stated):
    """A web booking with phone and needs, its receipt and a queued reminder."""
    slot = slot_at(session, "351504", tuesday(), time(10))
    booking = book(session, slot, number, name=name, phone=PHONE, needs=("wheelchair",),
                   **stated)
    receipt = receipts.issue_receipt(session, booking, data_key=DATA_KEY, now=MONDAY_MORNING)
    notify.queue(session, booking, "reminder", f"Rekam: besok jadwal Anda (kode {booking.code}).",
                 now=MONDAY_MORNING)
    return booking, receipt


def test_a_cancelled_booking_keeps_its_data_until_a_day_after_its_retention_then_only_counts_stay(
        session):
    booking, receipt = _booked_with_everything(session, nik(1))
    cancelled_at = MONDAY_MORNING + timedelta(hours=2)
    bookings.cancel_booking(session, booking, "citizen", now=cancelled_at)
    receipts.store_rendered(session, receipt.id, b"%PDF issued bytes", "ab" * 32, cancelled_at)
    session.commit()
    due = cancelled_at + timedelta(days=90)
    nik_hash, token = booking.nik_hash, receipt.token

    assert retention.purge_due(session, now=due - DAY) == NOTHING
    kept = _fresh(session, booking)
    assert (kept.name, kept.phone, kept.scrubbed_at) == ("Siti Aminah", PHONE, None)

    assert retention.purge_due(session, now=due + DAY) == {**NOTHING, "bookings": 1,
                                                          "receipts": 1, "outbox": 1}
    gone = _fresh(session, booking)
    assert (gone.name, gone.phone, gone.needs, gone.nik_hash, gone.nik_last4) == \
        ("", None, "[]", "", "")
    assert gone.scrubbed_at == due + DAY
    # What the dashboards count stays.
    assert (gone.status, gone.office_code, gone.slot_id, gone.service, gone.desa_code,
            gone.channel, gone.priority, gone.cancelled_at, gone.created_at) == \
        ("cancelled", "351504", booking.slot_id, "pemula", "3515041003", "web", True,
         cancelled_at, booking.created_at)
    emptied = _fresh(session, receipt)
    assert (emptied.token, emptied.pdf) == (None, None)
    assert emptied.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert emptied.sha256 == "ab" * 32  # the issued PDF's hash, for verification
    message = session.exec(select(OutboxMessage).where(
        OutboxMessage.booking_id == booking.id)).one()
    assert (message.recipient, message.body, message.kind) == (None, "", "reminder")

    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge")
                         .order_by(AuditEntry.id)).all()
    assert [(e.subject, e.detail) for e in audit] == [
        ("bookings", f"count=1 codes={booking.code}"), ("receipts", "count=1"),
        ("outbox", "count=1")]
    everything = _audit_text(session)
    for personal in ("Siti", PHONE, "0001", nik_hash):
        assert personal not in everything

    assert retention.purge_due(session, now=due + 2 * DAY) == NOTHING  # nothing twice


def test_no_shows_collected_cards_and_moved_history_end_too_the_new_slot_keeps_its_data(session):
    office = session.get(Office, "351504")
    missed = book(session, slot_at(session, "351504", tuesday(), time(8)), nik(1))
    collected = book(session, slot_at(session, "351504", tuesday(), time(9)), nik(2))
    moved = book(session, slot_at(session, "351504", tuesday(), time(11)), nik(3), name="Ani")
    at = MONDAY_MORNING + 2 * DAY
    collected.status, collected.collected_at = "collected", at
    session.add(collected)
    successor = bookings.reschedule_booking(
        session, moved, slot_at(session, "351504", tuesday(1), time(9)).id, "citizen",
        office=office, now=at)
    assert bookings.mark_no_shows(session, at) == 1
    session.commit()

    assert retention.purge_due(session, now=at + 89 * DAY)["bookings"] == 0
    assert retention.purge_due(session, now=at + 91 * DAY)["bookings"] == 3
    for row in (missed, collected, moved):
        assert _fresh(session, row).name == ""
    assert _fresh(session, successor).name == "Ani"  # still booked: its end has not come


def test_a_recorded_booking_whose_card_is_not_collected_keeps_its_data_until_its_recording_receipt_expires(
        session):
    booking = book(session, slot_at(session, "351504", tuesday(), time(8)), nik(1),
                   phone=PHONE)
    booking.status, booking.checked_in_at = "checked_in", MONDAY_MORNING + DAY
    session.add(booking)
    recorded_at = MONDAY_MORNING + DAY + timedelta(hours=1)
    recording = receipts.mark_recorded(session, booking, "cli", data_key=DATA_KEY,
                                       now=recorded_at)
    booking.status, booking.card_ready_at = "card_ready", recorded_at + 10 * DAY
    session.add(booking)
    session.commit()
    expires = recording.expires_at
    assert expires > recorded_at + 360 * DAY  # a year

    # Long past 90 days after recording, but the card is still waiting for its owner.
    assert retention.purge_due(session, now=recorded_at + 200 * DAY)["bookings"] == 0
    assert retention.purge_due(session, now=expires + 89 * DAY)["bookings"] == 0
    assert _fresh(session, booking).phone == PHONE
    assert retention.purge_due(session, now=expires + 91 * DAY)["bookings"] == 1
    assert _fresh(session, booking).phone is None
    assert _fresh(session, recording).token is None


def test_the_number_of_days_is_each_offices_setting(session):
    porong, panakkukang = session.get(Office, "351504"), session.get(Office, "737109")
    assert (porong.retention_days, panakkukang.retention_days) == (90, 90)  # the default
    panakkukang.retention_days = 30
    session.add(panakkukang)
    here = book(session, slot_at(session, "351504", tuesday(), time(9)), nik(1))
    there = book(session, slot_at(session, "737109", tuesday(), time(9)), nik(2),
                 desa_code=None)
    for row in (here, there):
        bookings.cancel_booking(session, row, "citizen", now=MONDAY_MORNING)
    session.commit()

    assert retention.purge_due(session, now=MONDAY_MORNING + 29 * DAY)["bookings"] == 0
    assert retention.purge_due(session, now=MONDAY_MORNING + 31 * DAY)["bookings"] == 1
    assert (_fresh(session, here).name, _fresh(session, there).name) == ("Siti", "")

    with pytest.raises(IntegrityError), session.begin_nested():
        panakkukang.retention_days = 0  # the schema refuses a rule that deletes at once
        session.add(panakkukang)
        session.flush()


def test_drafts_past_expiry_go(session):
    started = MONDAY_MORNING
    draft_id = drafts.start(session, "booking", {"name": "Siti", "phone": PHONE}, now=started).id
    session.commit()
    assert retention.purge_due(session, now=started + timedelta(minutes=29))["drafts"] == 0
    assert session.get(Draft, draft_id) is not None
    assert retention.purge_due(session, now=started + timedelta(minutes=31))["drafts"] == 1
    session.expunge_all()
    assert session.get(Draft, draft_id) is None


def test_finished_home_visit_requests_and_closed_reports_lose_their_contact_open_ones_keep_it(
        session):
    made = MONDAY_MORNING

    def visit(status):
        stored = reports.request_home_visit(
            session, submission_id=reports.new_submission_id(), desa_code="3515041003",
            name="Mbah Sarni", phone="081234567890", requester="family", service="pemula",
            details="terbaring di rumah")
        stored.record.status, stored.record.created_at = status, made
        session.add(stored.record)
        return stored.record

    def report(status):
        stored = reports.submit_misconduct_report(
            session, submission_id=reports.new_submission_id(), office_code="351504",
            event_date=date(2026, 11, 20), kind="money", description="diminta Rp 20.000",
            contact="0812 3456 7890")
        stored.record.status, stored.record.created_at = status, made
        session.add(stored.record)
        return stored.record

    done, waiting = visit("done"), visit("new")
    closed, in_review = report("closed"), report("in_review")
    session.commit()

    before = retention.purge_due(session, now=made + 89 * DAY)
    assert (before["home_visits"], before["reports"]) == (0, 0)
    after = retention.purge_due(session, now=made + 91 * DAY)
    assert (after["home_visits"], after["reports"]) == (1, 1)
    done, waiting = _fresh(session, done), _fresh(session, waiting)
    assert (done.name, done.phone, done.details, done.status) == ("", "", "", "done")
    assert done.scrubbed_at is not None and waiting.name == "Mbah Sarni"
    closed, in_review = _fresh(session, closed), _fresh(session, in_review)
    assert (closed.contact, closed.description) == ("", "diminta Rp 20.000")
    assert in_review.contact == "0812 3456 7890"


def test_messages_to_no_booking_go_after_the_default_days(session):
    message = notify.queue(session, None, "lost_code", "Kode Anda K7Q2-M9XH",
                           recipient=PHONE, now=MONDAY_MORNING)
    session.commit()
    assert retention.purge_due(session, now=MONDAY_MORNING + 89 * DAY)["outbox"] == 0
    assert retention.purge_due(session, now=MONDAY_MORNING + 91 * DAY)["outbox"] == 1
    assert (_fresh(session, message).recipient, _fresh(session, message).body) == (None, "")


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_after_retention_the_verify_page_and_api_still_say_genuine_without_the_details(
        client, session, page):
    booking = make_booking(session, name="Siti Aminah", starts_at=utcnow() - 3 * DAY)
    receipt = receipts.issue_receipt(session, booking, data_key=DATA_KEY)
    session.commit()
    token = receipt.token
    issued = client.get(f"/v/{token}/document")
    assert issued.status_code == 200
    sha256 = hashlib.sha256(issued.data).hexdigest()
    bookings.cancel_booking(session, booking, "citizen")
    session.commit()
    assert "Siti Aminah" in page(client, f"/v/{token}").text  # before: all details
    retention.purge_due(session, now=utcnow() + 91 * DAY)

    shown = page(client, f"/v/{token}")
    assert shown.select_one(".verdict-reason")["data-status"] == "cancelled"
    # issue 10: a cancelled receipt leads with DIBATALKAN and says genuine below it
    assert shown.h1.startswith("DIBATALKAN") and "Asli, dikeluarkan oleh Rekam" in shown.h1
    assert "TIDAK ASLI" not in shown.h1
    assert "dihapus sesuai aturan masa simpan" in shown.select_one("#details-deleted").text
    assert "Siti" not in shown.html and "\u2022" * 12 + "0003" not in shown.html
    assert shown.select_one("#document-sha256").text == sha256
    assert not [href for href in shown.links() if "/document" in href or "/receipt" in href]
    english = page(client, f"/v/{token}?lang=en")
    assert "deleted under the retention rule" in english.select_one("#details-deleted").text

    answer = client.get(f"/api/v1/verify/{token}").json
    assert (answer["genuine"], answer["status"]) == (True, "cancelled")
    assert answer["document"]["b"] == booking.code
    assert "n" not in answer["document"] and "k" not in answer["document"]
    # The token in the QR still verifies against the published keys.
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    assert json.loads(jws.deserialize_compact(token, key_set, algorithms=["EdDSA"])
                      .payload)["b"] == booking.code

    for path in ("document", "document-80mm", "receipt"):
        gone = page(client, f"/v/{token}/{path}", status=410)
        assert "Siti" not in gone.html
        assert f"/v/{token}" in gone.links()
    assert _fresh(session, receipt).pdf is None  # no download rendered it again

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/api/v1/verify/{tampered}").json["status"] == "invalid"


def test_the_cli_prints_what_was_removed_per_kind(runner, session):
    long_ago = utcnow() - 100 * DAY
    old = book(session, slot_at(session, "351504", tuesday(), time(9)), nik(1))
    bookings.cancel_booking(session, old, "citizen", now=long_ago)
    session.commit()
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "bookings emptied: 1" in lines and "form drafts deleted: 0" in lines
    assert runner.invoke(args=["retention"]).output.splitlines()[0] == "bookings emptied: 0"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge")).one()
    assert entry.actor == "cli" and old.code in entry.detail


def test_the_worker_runs_retention_daily(app, session):
    names = {task.name for task in jobs.huey.read_periodic(datetime(2026, 11, 23, 19, 30))}
    assert "retention" in names
    assert "retention" not in {t.name for t in jobs.huey.read_periodic(
        datetime(2026, 11, 23, 20, 30))}
    old = book(session, slot_at(session, "351504", tuesday(), time(9)), nik(1))
    bookings.cancel_booking(session, old, "citizen", now=utcnow() - 100 * DAY)
    session.commit()
    with app.app_context():
        assert jobs.retention.call_local()["bookings"] == 1
    assert _fresh(session, old).name == ""


@pytest.fixture
def committed_database(worker_name, tmp_path):
    url = fresh_database(f"{worker_name}_retention", tmp_path)
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "TESTING": True,
                      "SECRET_KEY": "s", "DATA_KEY": DATA_KEY, "BASE_URL": "http://rekam.test"})
    with app.app_context():
        yield app
        database().dispose()


def test_two_workers_purging_at_once_empty_each_booking_once(committed_database):
    app = committed_database
    with database().session() as session:
        seed_demo(session)
        session.commit()
        codes = set()
        for serial in range(1, 121):
            row = make_booking(session, starts_at=MONDAY_MORNING + timedelta(minutes=serial),
                               nik=nik(serial), status="cancelled")
            row.cancelled_at = MONDAY_MORNING
            session.add(row)
            receipts.issue_receipt(session, row, data_key=DATA_KEY, now=MONDAY_MORNING)
            codes.add(row.code)
        session.commit()
    later = MONDAY_MORNING + 91 * DAY
    results, errors = [], []

    def worker():
        try:
            with app.app_context(), database().session(write=True) as own:
                results.append(retention.purge_due(own, now=later, batch_size=25))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r["bookings"] for r in results) == 120
    assert sum(r["receipts"] for r in results) == 120
    engine = create_engine(app.config["DATABASE_URL"])
    with Session(engine) as check:
        assert check.exec(select(Booking).where(Booking.name != "")).all() == []
        assert check.exec(select(Receipt).where(Receipt.token.is_not(None))).all() == []
        named = [code for e in check.exec(select(AuditEntry).where(
                 AuditEntry.action == "retention.purge", AuditEntry.subject == "bookings"))
                 for code in e.detail.split("codes=")[1].split(",")]
    engine.dispose()
    assert sorted(named) == sorted(codes)  # each booking named once, by whoever emptied it


def test_the_privacy_notice_states_each_offices_days_and_when_a_booking_ends(client, session,
                                                                              page):
    office = session.get(Office, "737109")
    office.retention_days = 30
    session.add(office)
    session.commit()
    notice = page(client, "/privasi")
    days = [li.get_text(" ", strip=True) for li in notice.select("#retention-days li")]
    assert days == ["Kecamatan Porong: 90 hari", "Kecamatan Panakkukang: 30 hari"]
    assert "tanda terima perekaman habis masa berlakunya" in notice.text
    english = page(client, "/privasi?lang=en")
    assert "Kecamatan Panakkukang: 30 days" in english.text


def test_an_officer_scanning_a_receipt_after_retention_sees_it_genuine_without_the_name(
        client, session, login_as):
    booking = make_booking(session, name="Siti Aminah", starts_at=utcnow() - 3 * DAY)
    token = receipts.issue_receipt(session, booking, data_key=DATA_KEY).token
    bookings.cancel_booking(session, booking, "citizen")
    session.commit()
    retention.purge_due(session, now=utcnow() + 91 * DAY)
    login_as("officer")
    answer = client.post("/officer/scan", data={"code": f"http://rekam.test/v/{token}"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'data-status="cancelled"' in html
    assert "Sudah dihapus sesuai aturan masa simpan data." in html and "Siti" not in html


def test_the_booking_api_after_retention_has_no_name_and_no_receipt_address(client, session,
                                                                           api_token):
    booking = make_booking(session, name="Siti Aminah", starts_at=utcnow() - 3 * DAY)
    receipts.issue_receipt(session, booking, data_key=DATA_KEY)
    bookings.cancel_booking(session, booking, "citizen")
    session.commit()
    retention.purge_due(session, now=utcnow() + 91 * DAY)
    answer = client.get(f"/api/v1/bookings/{booking.code}", headers=api_token("officer")).json
    assert (answer["status"], answer["name"], answer["receipt_url"], answer["verify_url"]) == \
        ("cancelled", "", None, None)
    assert answer["nik_masked"].strip("\u2022") == ""


def test_the_migration_gives_existing_receipts_their_token_hash_and_goes_back(worker_name,
                                                                              tmp_path):
    from sqlalchemy import text

    from app.migrate import downgrade

    url = fresh_database(f"{worker_name}_retention_migration", tmp_path)
    upgrade(url, "0004_receipts")
    engine = create_engine(url)
    token = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJuIjoiU2l0aSJ9.c2ln"
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO office (code, name, timezone, address, slot_minutes, recording_minutes,"
            " counter_minutes, held_back_percent, hold_release_hours, booking_horizon_days,"
            " no_show_grace_minutes, is_demo) VALUES ('351504', 'Porong', 'Asia/Jakarta', '',"
            " 30, 10, 15, 30, 2, 30, 30, false)",
            "INSERT INTO slot (id, office_code, pool, starts_at, ends_at, capacity, held_back,"
            " booked, booked_priority) VALUES (1, '351504', 'station', '2026-11-24 02:00:00',"
            " '2026-11-24 02:30:00', 6, 2, 1, 0)",
            "INSERT INTO booking (id, code, office_code, slot_id, service, status, nik_hash,"
            " nik_last4, birth_date, sex, name, needs, priority, held_share, channel, created_by,"
            " created_at) VALUES (1, 'K7Q2M9XH', '351504', 1, 'pemula', 'booked', 'h', '0003',"
            " '2007-03-12', 'M', 'Siti', '[]', false, false, 'web', 'citizen',"
            " '2026-11-23 00:00:00')",
            "INSERT INTO signing_key (kid, public_jwk, private_sealed, created_at) VALUES"
            " ('k1', '{}', :sealed, '2026-11-23 00:00:00')",
            "INSERT INTO receipt (id, booking_id, kind, token, kid, issued_at, expires_at) VALUES"
            " (1, 1, 'booking', :token, 'k1', '2026-11-23 00:00:00', '2026-12-24 02:30:00')",
        ):
            connection.execute(text(statement), {"sealed": b"x", "token": token})
    upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT token_sha256 FROM receipt")).scalar() == \
            hashlib.sha256(token.encode()).hexdigest()
        assert connection.execute(text("SELECT retention_days FROM office")).scalar() == 90
    downgrade(url, "0004_receipts")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT token FROM receipt")).scalar() == token
    engine.dispose()
