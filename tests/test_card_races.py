"""Card races through the real server (issue 13): officers at several desks pressing "card
ready" at once never take more blank cards than the office has, and one booking pressed twice
at once moves once and takes one card. SQLite here; PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from app import create_app
from app.db import database
from app.domain import accounts
from app.models import Booking, Office, OutboxMessage
from tests.support.databases import fresh_database
from tests.support.live_server import cli, reserve_port, serving
from tests.support.receipt_bookings import make_booking, random_nik, today_at

pytestmark = [pytest.mark.db, pytest.mark.xdist_group("races")]
THREADS = 12


def _prepare(env, bookings: int, stock: int) -> tuple[str, list[str]]:
    app = create_app({k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY",
                                          "DATA_KEY", "BASE_URL")})
    with app.app_context(), database().session() as session:
        _token, secret = accounts.mint_token(session, "officer", "351504")
        codes = [make_booking(session, starts_at=today_at(8), nik=random_nik(),
                              status="recorded").code for _ in range(bookings)]
        session.get(Office, "351504").blangko_stock = stock
        session.commit()
    app.extensions["rekam_db"].dispose()
    return secret, codes


@pytest.fixture(scope="module")
def server(worker_name, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("card-races")
    url = fresh_database(f"{worker_name}_card_races", tmp)
    listener = reserve_port()
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "RATE_LIMITS": "off",
           "BASE_URL": f"http://127.0.0.1:{listener.getsockname()[1]}",
           "SECRET_KEY": "race-secret", "DATA_KEY": "race-data-key", "PYTHONUNBUFFERED": "1"}
    cli(env, "seed-demo")
    token, codes = _prepare(env, bookings=THREADS + 1, stock=3)
    with serving(listener, env, tmp / "server.log", workers=2, threads=8) as base:
        yield base, token, codes, create_engine(url)


def _card_ready(base, token, code, barrier):
    barrier.wait()
    answer = httpx.post(f"{base}/api/v1/bookings/{code}/card", json={"status": "card_ready"},
                        headers={"Authorization": f"Bearer {token}"}, timeout=60)
    return answer.status_code, answer.json().get("error")


def test_desks_printing_at_once_take_no_more_blank_cards_than_there_are(server):
    base, token, codes, engine = server
    barrier = Barrier(THREADS)
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda c: _card_ready(base, token, c, barrier),
                                codes[:THREADS]))
    assert sorted(results, key=str).count((200, None)) == 3
    assert [r for r in results if r[0] != 200] == [(409, "no_blangko")] * (THREADS - 3)
    with Session(engine) as session:
        assert session.get(Office, "351504").blangko_stock == 0
        ready = session.exec(select(Booking).where(Booking.code.in_(codes),
                                                   Booking.status == "card_ready")).all()
        assert len(ready) == 3
        assert len(session.exec(select(OutboxMessage).where(
            OutboxMessage.kind == "card_ready")).all()) == 3


def test_one_booking_pressed_at_several_desks_moves_once(server):
    base, token, codes, engine = server
    with Session(engine) as session:
        session.get(Office, "351504").blangko_stock = 5
        session.commit()
    barrier = Barrier(6)
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _n: _card_ready(base, token, codes[-1], barrier),
                                range(6)))
    assert sorted(results, key=str) == sorted([(200, None)] + [(409, "wrong_state")] * 5,
                                              key=str)
    with Session(engine) as session:
        assert session.get(Office, "351504").blangko_stock == 4
