"""No-shows, reminders and message delivery: the domain functions the background jobs run."""

import json
import threading
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlmodel import select

from app import jobs
from app.adapters import notify
from app.domain import booking as bookings
from app.models import Booking, OutboxMessage
from tests.support.booking import MONDAY_MORNING, book, nik, slot_at, tuesday

pytestmark = pytest.mark.db


def test_who_did_not_come_by_the_end_plus_grace_is_a_no_show_and_may_book_again(session):
    slot = slot_at(session, "351504", date(2026, 11, 23), time(8))
    late = book(session, slot, nik(1), channel="kiosk")
    early = datetime(2026, 11, 23, 1, 59, tzinfo=UTC)  # 08:59 WIB: the 30-minute grace runs
    assert bookings.mark_no_shows(session, early) == 0
    assert bookings.mark_no_shows(session, datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 1
    session.refresh(late)
    assert late.status == "no_show" and late.no_show_at is not None
    again = book(session, slot_at(session, "351504", tuesday(), time(9)), nik(1))
    assert again.status == "booked"
    assert bookings.counter_drift(session) == []  # the missed place stays counted


def test_a_reminder_goes_out_the_day_before_once(session):
    with_phone = book(session, slot_at(session, "351504", tuesday(), time(10)), nik(1),
                      phone="+6281234567890")
    without = book(session, slot_at(session, "351504", tuesday(), time(10, 30)), nik(2))
    book(session, slot_at(session, "351504", tuesday(1), time(10)), nik(3))  # next week
    monday_noon = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    assert bookings.queue_reminders(session, monday_noon) == 2
    assert bookings.queue_reminders(session, monday_noon) == 0
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    by_booking = {m.booking_id: m for m in messages}
    assert by_booking[with_phone.id].recipient == "+6281234567890"
    assert by_booking[without.id].recipient is None
    assert "10.00–10.30 WIB" in by_booking[with_phone.id].body and "Gratis" in by_booking[with_phone.id].body
    assert "Siti" not in by_booking[with_phone.id].body  # no name in an SMS


def test_wita_reminders_use_the_office_day_and_zone(session):
    booked = book(session, slot_at(session, "737109", tuesday(), time(8)), nik(1))
    monday_late = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 WITA, still Monday
    assert bookings.queue_reminders(session, monday_late) == 1
    body = session.exec(select(OutboxMessage.body).where(
        OutboxMessage.booking_id == booked.id)).one()
    assert "Selasa, 24 November 2026, 08.00–08.30 WITA" in body


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    answer = 202

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    _Gateway.received, _Gateway.answer = [], 202
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", _Gateway
    server.shutdown()


def test_the_outbox_is_handed_to_the_configured_gateway(session, gateway):
    url, handler = gateway
    booked = book(session, slot_at(session, "351504", tuesday(), time(10)), nik(1),
                  phone="+6281234567890")
    notify.queue(session, booked, "reminder", "Rekam: besok jadwal Anda.", now=MONDAY_MORNING)
    notify.queue(session, None, "reminder", "no one to send to")
    assert notify.deliver_pending(session, url, "s3cret") == 1
    auth, payload = handler.received[0]
    assert auth == "Bearer s3cret"
    assert payload["to"] == "+6281234567890" and payload["kind"] == "reminder"
    statuses = sorted(session.exec(select(OutboxMessage.status)).all())
    assert statuses == ["no_recipient", "sent"]


def test_a_gateway_that_refuses_is_retried_then_given_up(session, gateway):
    url, handler = gateway
    handler.answer = 500
    booked = book(session, slot_at(session, "351504", tuesday(), time(10)), nik(1),
                  phone="+6281234567890")
    message = notify.queue(session, booked, "reminder", "x")
    for _ in range(notify.MAX_ATTEMPTS):
        assert notify.deliver_pending(session, url) == 0
    session.refresh(message)
    assert message.status == "failed" and message.attempts == notify.MAX_ATTEMPTS
    assert "500" in message.last_error


def test_without_a_gateway_messages_wait_in_the_outbox(session, monkeypatch):
    monkeypatch.delenv("NOTIFY_WEBHOOK_URL", raising=False)
    notify.queue(session, None, "reminder", "x", recipient="+6281234567890")
    assert notify.deliver_pending(session) == 0
    assert session.exec(select(OutboxMessage.status)).one() == "pending"


def test_the_periodic_tasks_run_the_domain_functions(app, session):
    slot = slot_at(session, "351504", date(2026, 11, 23), time(8))
    book(session, slot, nik(1), channel="kiosk")
    session.commit()
    with app.app_context():
        assert jobs.no_shows.call_local() == 1
        assert jobs.drafts.call_local() >= 0
        assert jobs.outbox.call_local() == 0
        assert jobs.slots.call_local() > 0  # the counter pool and Panakkukang's horizon
    assert session.exec(select(Booking.status)).one() == "no_show"


def test_the_queue_lives_in_the_instance_folder_unless_redis_is_configured():
    assert type(jobs.huey).__name__ == "SqliteHuey"
    assert jobs.huey.storage.filename.endswith("jobs.sqlite3")


# --- issue 10 (H): the reminder lists the service's own documents -------------------------------


@pytest.mark.parametrize("service,must,must_not", [
    ("hilang", ["surat kehilangan dari polisi", "KK"], []),
    ("pindah", ["SKPWNI", "KK"], []),
    ("pemula", ["KK"], ["polisi", "SKPWNI"]),
])
def test_the_reminder_lists_what_this_service_needs(session, service, must, must_not):
    pool = "station" if service == "pemula" else "counter"
    booked = book(session, slot_at(session, "351504", tuesday(), time(10), pool), nik(1),
                  service=service)
    assert bookings.queue_reminders(session, datetime(2026, 11, 23, 5, 0, tzinfo=UTC)) == 1
    body = session.exec(select(OutboxMessage.body).where(
        OutboxMessage.booking_id == booked.id)).one()
    assert all(word in body for word in must), body
    assert not any(word in body for word in must_not), body
    assert len(body) <= 2 * 160, body  # at most two SMS parts
