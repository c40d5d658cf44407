"""Kept answers (app/answers.py): a worker answers a repeated public read from memory only while
nobody has written and the clock has not turned it (issue 11: "answers stay current").

Two apps over one committed SQLite file stand for two workers (separate pools, separate stores);
what one writes, the other reads at once. On PostgreSQL nothing is kept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from app import answers, create_app
from app.db import database
from app.domain import accounts, capacity
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import CHANGE_STAMP_UNWATCHED, AuditEntry, Office, SQLModel, utcnow
from tests.support.databases import fresh_database, postgres_base_url
from tests.support.niks import fresh_nik
from tests.support.statements import counting

pytestmark = [pytest.mark.xdist_group("answers")]
PORONG = "351504"


def _app(url, instance):
    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "RATE_LIMITS": "off",
                       "BASE_URL": "http://rekam.test", "SECRET_KEY": "s", "DATA_KEY": "d"})


@pytest.fixture(scope="module")
def workers(worker_name, tmp_path_factory):
    if postgres_base_url():
        pytest.skip("answers are kept only where SQLite's changes can be watched")
    tmp = tmp_path_factory.mktemp("answers")
    url = fresh_database(f"{worker_name}_answers", tmp)
    upgrade(url)
    one, two = _app(url, tmp / "one"), _app(url, tmp / "two")
    with one.app_context(), database().session() as session:
        seed_demo(session)
        office = session.get(Office, PORONG)
        capacity.ensure_slots(session, office, "station", utcnow())
        _t, secret = accounts.mint_token(session, "admin", None, None, "answers")
        session.commit()
    yield SimpleNamespace(one=one.test_client(), two=two.test_client(), app_one=one, app_two=two,
                          auth={"Authorization": f"Bearer {secret}"})
    for app in (one, two):
        app.extensions["rekam_db"].dispose()


def _week() -> str:
    start = datetime.now(UTC).date() + timedelta(days=2)
    return f"from={start}&to={start + timedelta(days=6)}"


def _book(client, auth, slot_id) -> dict:
    answer = client.post("/api/v1/bookings", headers=auth, json={
        "nik": fresh_nik(), "name": "Warga Uji", "service": "pemula", "slot_id": slot_id})
    assert answer.status_code == 201, answer.json
    return answer.json


def _statements(app, request):
    with counting(app) as seen:
        answer = request()
    return answer, len(seen)


def test_a_repeated_slot_list_is_answered_from_memory_until_the_other_worker_books(workers):
    url = f"/api/v1/offices/{PORONG}/slots?{_week()}"
    first = workers.one.get(url)
    again, sent = _statements(workers.app_one, lambda: workers.one.get(url))
    assert again.json == first.json and sent == 0  # kept: no statement at all
    slot = first.json[0]
    _book(workers.two, workers.auth, slot["id"])  # the other worker writes
    after = {s["id"]: s for s in workers.one.get(url).json}
    assert after[slot["id"]]["remaining"] == slot["remaining"] - 1


def test_a_cancel_through_one_worker_reads_cancelled_at_once_through_the_other(workers):
    slots = workers.one.get(f"/api/v1/offices/{PORONG}/slots?{_week()}").json
    booked = _book(workers.two, workers.auth, slots[-1]["id"])
    token = booked["verify_url"].rsplit("/v/", 1)[1]
    assert workers.one.get(f"/api/v1/verify/{token}").json["status"] == "valid"
    assert workers.one.get(f"/api/v1/verify/{token}").json["status"] == "valid"  # kept
    cancel = workers.two.post(f"/api/v1/bookings/{booked['code']}/cancel", headers=workers.auth)
    assert cancel.status_code == 200, cancel.json
    assert workers.one.get(f"/api/v1/verify/{token}").json["status"] == "cancelled"


def test_a_kept_answer_is_not_served_after_the_moment_it_turns(workers, monkeypatch):
    url = "/api/v1/offices"
    workers.one.get(url)
    _answer, sent = _statements(workers.app_one, lambda: workers.one.get(url))
    assert sent == 0
    later = answers.time.time() + answers.KEEP_SECONDS + 1
    monkeypatch.setattr(answers.time, "time", lambda: later)
    _answer, sent = _statements(workers.app_one, lambda: workers.one.get(url))
    assert sent > 0  # read again


def test_a_request_with_credentials_is_never_answered_from_memory(workers):
    url = f"/api/v1/offices/{PORONG}/slots?{_week()}"
    workers.one.get(url, headers=workers.auth)
    _answer, sent = _statements(workers.app_one, lambda: workers.one.get(url,
                                                                          headers=workers.auth))
    assert sent > 0


def test_bookkeeping_written_all_day_keeps_answers_and_a_watched_write_does_not(workers):
    url = "/api/v1/offices"
    workers.one.get(url)
    with workers.app_two.app_context(), database().session() as session:
        session.add(AuditEntry(actor="test", action="answers.test", subject="none"))
        session.commit()  # an audit line: bookkeeping
    _answer, sent = _statements(workers.app_one, lambda: workers.one.get(url))
    assert sent == 0
    with workers.app_two.app_context(), database().session() as session:
        session.get(Office, PORONG).address = "Jl. Uji Jawaban 1"
        session.commit()
    answer = workers.one.get(url).json
    assert next(o for o in answer if o["code"] == PORONG)["address"] == "Jl. Uji Jawaban 1"


def test_every_table_but_the_bookkeeping_moves_the_stamp(workers):
    """A table added (or rebuilt by a SQLite batch migration, which drops triggers) without
    change_stamp_triggers() would let a kept answer outlive a write to it."""
    with workers.app_one.app_context(), database().session() as session:
        triggers = set(session.exec(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    missing = [f"{table}: {event}" for table in SQLModel.metadata.tables
               if table not in CHANGE_STAMP_UNWATCHED
               for event in ("insert", "update", "delete")
               if f"change_stamp_{table}_{event}" not in triggers]
    assert not missing


@pytest.mark.db
def test_nothing_is_kept_where_changes_cannot_be_watched(app):
    """PostgreSQL (or the tests' bound transaction): every request is answered afresh."""
    if postgres_base_url():
        assert app.extensions["rekam_db"].generation() is None
    with app.test_request_context("/"):
        assert database().generation() is None  # the bound test database never keeps either


def _slot(starts: datetime, minutes: int = 30):
    return SimpleNamespace(slot=SimpleNamespace(starts_at=starts,
                                                ends_at=starts + timedelta(minutes=minutes)))


def test_a_slot_list_turns_at_the_first_cutoff_release_or_end_else_at_midnight():
    office = SimpleNamespace(timezone="Asia/Jakarta", online_cutoff_minutes=60,
                             hold_release_hours=24)
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08.00 WIB
    midnight = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 00.00 WIB the next day
    soon = _slot(now + timedelta(hours=3))  # released already; closes online 2 h from now
    assert capacity.list_turns(office, [soon], now) == now + timedelta(hours=2)
    far = _slot(now + timedelta(hours=30))  # its held-back share opens in 6 h
    assert capacity.list_turns(office, [far], now) == now + timedelta(hours=6)
    assert capacity.list_turns(office, [], now) == midnight
    assert capacity.list_turns(office, [_slot(now + timedelta(days=5))], now) == midnight
