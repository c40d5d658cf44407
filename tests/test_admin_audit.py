"""Audit log and outbox (issue 15 §7): filters (who, what, when, which booking), CSV export,
an office's admin sees its own office's entries only; failed messages can be retried."""

from __future__ import annotations

import csv
import io
from datetime import time

import pytest
from sqlmodel import select

from app.adapters import notify
from app.domain import audit
from app.models import OutboxMessage
from tests.support.booking import MONDAY_MORNING, book, nik, slot_at, tuesday

pytestmark = pytest.mark.db


def test_the_audit_log_filters_by_booking_and_action_and_exports_the_same_as_csv(
        client, session, page, login_as):
    slot = slot_at(session, "351504", tuesday(), time(9))
    mine = book(session, slot, nik(1))
    other = book(session, slot, nik(2))
    audit.record(session, "user:99", "booking.reschedule", f"booking:{mine.code}", "x")
    audit.record(session, "cli", "office.status", "office:737109", "elsewhere")
    audit.record(session, "cli", "formula", f"booking:{mine.code}", "=HYPERLINK(\"x\")")
    session.commit()
    login_as("admin")
    shown = page(client, f"/admin/351504/audit?booking={mine.code[:4]}-{mine.code[4:]}")
    subjects = {td.get_text() for td in shown.select("tbody tr td:nth-of-type(4)")}
    assert subjects == {f"booking:{mine.code}"}
    assert "elsewhere" not in page(client, "/admin/351504/audit").text
    narrowed = page(client, "/admin/351504/audit?action=booking.reschedule")
    assert [td.get_text() for td in narrowed.select("tbody td:nth-of-type(2)")] == ["user:99"]

    exported = client.get(f"/admin/351504/audit.csv?booking={mine.code}")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0] == ["at", "actor", "action", "subject", "detail"]
    assert {r[3] for r in rows[1:]} == {f"booking:{mine.code}"}
    assert "'=HYPERLINK(\"x\")" in [r[4] for r in rows[1:]]
    assert other.code not in exported.get_data(as_text=True)
    assert client.get("/admin/737109/audit.csv").status_code == 403


def test_a_bad_date_in_the_filter_answers_422(client, page, login_as):
    login_as("admin")
    shown = page(client, "/admin/351504/audit?first=kemarin", status=422)
    assert [a["href"] for a in shown.select(".error-summary a")] == ["#first"]


def test_a_failed_message_is_retried_and_secret_ones_are_never_shown(client, session, page,
                                                                    login_as):
    slot = slot_at(session, "351504", tuesday(), time(9))
    booking = book(session, slot, nik(3), phone="+6281234567890")
    failed = notify.queue(session, booking, "moved", "Jadwal dipindah", now=MONDAY_MORNING)
    failed.status, failed.attempts, failed.last_error = "failed", 5, "URLError: timeout"
    notify.queue(session, booking, "manage_code", "Kode Anda 987650", now=MONDAY_MORNING)
    session.commit()
    login_as("admin")
    shown = page(client, "/admin/351504/outbox?status=failed")
    assert "Jadwal dipindah" in shown.text and "URLError" in shown.text
    assert "987650" not in page(client, "/admin/351504/outbox").text
    form = shown.select_one("form[action$='/retry']")
    token = form.select_one("input[name=csrf_token]")["value"]
    assert client.post(form["action"], data={"csrf_token": token}).status_code == 303
    session.refresh(failed)
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert client.post(form["action"], data={"csrf_token": token}).status_code == 404
    assert session.exec(select(OutboxMessage).where(OutboxMessage.status == "failed")).all() == []
