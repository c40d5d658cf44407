"""Races through the real server (gunicorn, 2 processes × 8 threads), threads and processes:
never overbooked, one active booking per NIK, counters always equal to a recount.

Committed data in a database of their own (SQLite here; PostgreSQL when TEST_DATABASE_URL is
set, as CI runs `make test-db`).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import create_engine
from sqlalchemy import update as sa_update
from sqlmodel import Session, select

from app import create_app
from app.db import database
from app.domain import accounts, capacity
from app.domain.booking import counter_drift
from app.models import Booking, ManageAttempt, Office, OutboxMessage, Slot, utcnow
from tests.support import race_client
from tests.support.databases import fresh_database
from tests.support.live_server import cli, reserve_port, serving

pytestmark = [pytest.mark.db, pytest.mark.xdist_group("races")]
ROOT = Path(__file__).resolve().parent.parent
THREADS = 24


def _nik(serial: int, born: str = "120307") -> str:
    return f"351504{born}{serial:04d}"


class Server:
    def __init__(self, base, token, url):
        self.base, self.token, self.url = base, token, url
        self.engine = create_engine(url)

    def slots(self, day: date) -> list[dict]:
        return httpx.get(f"{self.base}/api/v1/offices/351504/slots",
                         params={"from": day.isoformat(), "to": day.isoformat()}).json()

    def drift(self):
        with Session(self.engine) as session:
            return counter_drift(session)

    def slot(self, slot_id: int) -> Slot:
        with Session(self.engine) as session:
            return session.get(Slot, slot_id)


def _prepare(env) -> str:
    """An officer token and the horizon's slot rows, made in this process (faster than more
    CLI start-ups)."""
    app = create_app({k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY",
                                          "DATA_KEY", "BASE_URL")})
    with app.app_context(), database().session() as session:
        _token, secret = accounts.mint_token(session, "officer", "351504")
        capacity.ensure_slots(session, session.get(Office, "351504"), "station", utcnow())
        session.commit()
    app.extensions["rekam_db"].dispose()
    return secret


@pytest.fixture(scope="module")
def server(worker_name, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("races")
    url = fresh_database(f"{worker_name}_races", tmp)
    listener = reserve_port()
    port = listener.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "RATE_LIMITS": "off",
           "BASE_URL": f"http://127.0.0.1:{port}", "SECRET_KEY": "race-secret",
           "DATA_KEY": "race-data-key", "PYTHONUNBUFFERED": "1"}
    cli(env, "seed-demo")
    token = _prepare(env)
    with serving(listener, env, tmp / "server.log", workers=2, threads=8) as base:
        yield Server(base, token, url)


def _weekday(weeks: int, weekday: int) -> date:
    """A working day some weeks ahead (inside the 30-day horizon)."""
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def _outcomes(results) -> dict:
    counts: dict = {}
    for status, detail in results:
        key = status if status == 201 else (status, detail)
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_many_threads_race_for_the_open_places_exactly_four_win(server):
    slot = server.slots(_weekday(1, 1))[0]  # a Tuesday: 6 places, 2 held back for priority
    niks = [_nik(1000 + i) for i in range(40)]
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda n: race_client.book(server.base, server.token,
                                                           slot["id"], n), niks))
    assert _outcomes(results) == {201: 4, (409, "slot_full"): 36}
    assert server.slot(slot["id"]).booked == 4
    assert server.drift() == []


def test_processes_race_too_and_priority_visitors_fill_the_held_back_share(server):
    slot = server.slots(_weekday(1, 2))[0]  # a Wednesday
    batches = [(server.base, server.token, slot["id"],
                [_nik(2000 + 10 * p + i, born="010150" if i % 2 else "120307") for i in range(8)])
               for p in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = [r for batch in pool.map(race_client.book_many, batches) for r in batch]
    assert _outcomes(results)[201] == 6  # never more than the slot's capacity
    assert sum(1 for status, _ in results if status == 409) == 26
    assert {detail for status, detail in results if status == 409} == {"slot_full"}
    assert server.slot(slot["id"]).booked == 6
    assert server.drift() == []


def test_one_nik_booking_twice_at_once_gets_one_place(server):
    day_slots = server.slots(_weekday(1, 3))  # a Thursday
    nik = _nik(3001)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda s: race_client.book(server.base, server.token,
                                                           s["id"], nik), day_slots[:8]))
    assert _outcomes(results) == {201: 1, (409, "already_booked"): 7}
    with Session(server.engine) as session:
        assert len(session.exec(select(Booking).where(Booking.status == "booked",
                                                      Booking.nik_last4 == "3001")).all()) == 1
    assert server.drift() == []


def _manage_client(server, code: str, nik: str) -> httpx.Client:
    client = httpx.Client(base_url=server.base, timeout=60)
    form = BeautifulSoup(client.get(f"/booking/{code}").text, "html.parser")
    csrf = form.select_one('input[name="csrf_token"]')["value"]
    opened = client.post(f"/booking/{code}", data={"code": code, "nik": nik,
                                                   "csrf_token": csrf})
    assert opened.status_code == 303, opened.text[:500]
    return client


def _csrf(client, path) -> str:
    page = BeautifulSoup(client.get(path).text, "html.parser")
    return page.select_one('input[name="csrf_token"]')["value"]


def test_concurrent_reschedules_and_cancels_keep_the_counters_exact(server):
    day = _weekday(2, 1)
    source, target = server.slots(day)[:2]
    people = [(_nik(4000 + i), race_client.book(server.base, server.token, source["id"],
                                                _nik(4000 + i))[1]) for i in range(4)]
    filler = race_client.book(server.base, server.token, target["id"], _nik(4100))
    assert filler[0] == 201  # the target keeps 3 open places for these 4
    clients = [(_manage_client(server, code, nik), code) for nik, code in people]
    actions = []
    for client, code in clients:  # each asks to move to the target and to cancel, at once
        move = f"/booking/{code}/ubah/{target['id']}"
        actions.append((client, move, _csrf(client, move)))
        actions.append((client, f"/booking/{code}/batal", _csrf(client, f"/booking/{code}/batal")))

    def act(action):
        client, path, csrf = action
        return client.post(path, data={"csrf_token": csrf}).status_code

    with ThreadPoolExecutor(len(actions)) as pool:
        statuses = list(pool.map(act, actions))
    assert set(statuses) == {303}
    with Session(server.engine) as session:
        rows = session.exec(select(Booking).where(
            Booking.code.in_([code for _n, code in people]))).all()
    current = {r.code: r for r in rows if r.status != "moved"}
    moved = [r for r in rows if r.status == "moved"]
    # Each booking ended moved, cancelled, or moved then cancelled: never lost, never doubled.
    assert sorted(current) == sorted(code for _n, code in people)
    assert all(r.status in ("booked", "cancelled") for r in current.values())
    still_booked = sum(1 for r in current.values()
                       if r.slot_id == target["id"] and r.status == "booked")
    # The target had 3 open places; a move that was then cancelled gave its place back.
    assert still_booked <= 3 and len(moved) >= still_booked
    assert server.slot(target["id"]).booked == 1 + still_booked
    assert server.slot(source["id"]).booked == 0
    assert server.drift() == []
    cancel_all = [httpx.post(f"{server.base}/api/v1/bookings/{code}/cancel",
                             headers={"Authorization": f"Bearer {server.token}"})
                  for _n, code in people]
    assert all(a.status_code in (200, 409) for a in cancel_all)
    assert server.drift() == []


def test_many_cancels_of_one_booking_free_one_place(server):
    slot = server.slots(_weekday(2, 2))[0]
    status, code = race_client.book(server.base, server.token, slot["id"], _nik(5001))
    assert status == 201

    def cancel(_):
        return httpx.post(f"{server.base}/api/v1/bookings/{code}/cancel",
                          headers={"Authorization": f"Bearer {server.token}"}).status_code

    with ThreadPoolExecutor(10) as pool:
        statuses = sorted(pool.map(cancel, range(10)))
    assert statuses == [200] + [409] * 9
    assert server.slot(slot["id"]).booked == 0
    assert server.drift() == []


def test_one_idempotency_key_sent_from_many_threads_books_once(server):
    """A kiosk that retries on its own timer while the first request is slow: one booking, and
    every answer is either that booking (byte for byte) or "still in flight"."""
    slot = server.slots(_weekday(2, 3))[0]
    body = {"nik": _nik(6001), "name": "Pelomba", "service": "pemula", "slot_id": slot["id"]}
    headers = {"Authorization": f"Bearer {server.token}", "Idempotency-Key": "kiosk-7-0001"}

    def post(_):
        answer = httpx.post(f"{server.base}/api/v1/bookings", json=body, headers=headers,
                            timeout=60)
        return answer.status_code, answer.content

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(post, range(THREADS)))
    created = {content for status, content in results if status == 201}
    others = {(status, httpx.Response(status, content=content).json()["error"])
              for status, content in results if status != 201}
    assert len(created) == 1 and others <= {(409, "idempotency_key_in_use")}
    late = post(None)  # once the first has answered, every retry gets its answer
    assert late == (201, created.pop())
    with Session(server.engine) as session:
        assert len(session.exec(select(Booking).where(Booking.nik_last4 == "6001")).all()) == 1
    assert server.drift() == []


def test_wrong_niks_typed_at_once_are_all_counted_and_the_holder_told_once(server):
    """The count is one conditional statement (and a first row made once): twelve guesses in
    parallel count twelve, and exactly one of them is the tenth that warns the phone."""
    slot = server.slots(_weekday(3, 1))[0]
    status, code = race_client.book(server.base, server.token, slot["id"], _nik(7001))
    assert status == 201
    with Session(server.engine) as session:
        session.execute(sa_update(Booking).where(Booking.code == code)
                        .values(phone="+6281234567890"))
        session.commit()
    guessers = []
    for i in range(12):
        client = httpx.Client(base_url=server.base, timeout=60)
        guessers.append((client, _csrf(client, "/booking/kelola"), _nik(7100 + i)))

    def guess(guesser):
        client, csrf, nik = guesser
        return client.post("/booking/kelola", data={"code": code, "nik": nik,
                                                    "csrf_token": csrf}).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(guess, guessers))
    assert all(status in (422, 303) for status in statuses)  # 303: past the tenth
    with Session(server.engine) as session:
        attempts = session.get(ManageAttempt, code)
        warnings = session.exec(select(OutboxMessage).where(
            OutboxMessage.kind == "manage_warning")).all()
    assert attempts.failures == 12
    assert len([w for w in warnings if code[:4] in w.body]) == 1


def test_the_server_log_has_no_nik(server):
    log = (Path(server.url.removeprefix("sqlite:///")).parent / "server.log")
    if log.exists():
        assert not re.search(r"351504\d{10}", log.read_text())
