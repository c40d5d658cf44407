"""The lobby under a rush, through the real server (gunicorn, 2 processes × 8 threads): 50
check-ins and walk-ins at once give gapless, unique numbers per lane, and 3 desks calling at
once never get the same ticket. SQLite here; PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from app import create_app
from app.db import database
from app.domain import accounts, capacity
from app.domain.nik import nik_hash
from app.models import Booking, Office, Slot, Station, Ticket
from tests.support.databases import fresh_database
from tests.support.live_server import cli, reserve_port, serving

pytestmark = [pytest.mark.db, pytest.mark.xdist_group("races")]
DATA_KEY = "lobby-race-data-key"
CHECK_INS, WALK_INS, DESKS = 32, 18, ("351504-1", "351504-2", "351504-3")


def _nik(serial: int, born: str = "120307") -> str:
    return f"351504{born}{serial:04d}"


def _arrange(env) -> tuple[str, str, dict[str, str], bool]:
    """Tokens, a long slot under way today with today's bookings (a third of them priority
    visitors), and a third recording desk."""
    app = create_app({k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY",
                                          "DATA_KEY", "BASE_URL")})
    with app.app_context(), database().session() as session:
        _t, kiosk = accounts.mint_token(session, "kiosk", "351504")
        _t, officer = accounts.mint_token(session, "officer", "351504")
        office = session.get(Office, "351504")
        now = datetime.now(UTC).replace(microsecond=0)
        midnight = datetime.combine(capacity.local_today(office, now), time(0),
                                    ZoneInfo(office.timezone)).astimezone(UTC)
        starts = max(midnight, now - timedelta(minutes=10)) + timedelta(seconds=7)
        slot = Slot(office_code="351504", pool="station", starts_at=starts,
                    ends_at=now + timedelta(hours=3), capacity=200, held_back=100)
        session.add(slot)
        session.add(Station(code="351504-3", office_code="351504", name="Stasiun perekaman 3"))
        session.flush()
        booked = {}
        for i in range(CHECK_INS):
            nik = _nik(3000 + i)
            code = f"RACE{i:04d}"
            booked[code] = nik
            session.add(Booking(code=code, office_code="351504", slot_id=slot.id,
                                service="pemula", nik_hash=nik_hash(nik, DATA_KEY.encode()),
                                nik_last4=nik[-4:], age_band="17-20", name="Pelomba",
                                priority=i % 3 == 0))
            slot.booked += 1
        session.add(slot)
        day = capacity.local_today(office, now)
        open_today = not capacity.closed_days(session, office, day, day)
        session.commit()
    app.extensions["rekam_db"].dispose()
    return kiosk, officer, booked, open_today


@pytest.fixture(scope="module")
def lobby(worker_name, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lobby-races")
    url = fresh_database(f"{worker_name}_lobby", tmp)
    listener = reserve_port()
    port = listener.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "RATE_LIMITS": "off",
           "BASE_URL": f"http://127.0.0.1:{port}", "SECRET_KEY": "race-secret",
           "DATA_KEY": DATA_KEY, "PYTHONUNBUFFERED": "1"}
    cli(env, "seed-demo")
    arranged = _arrange(env)
    with serving(listener, env, tmp / "server.log", workers=2, threads=8) as base:
        yield base, url, arranged


def _post(base: str, token: str, path: str, body: dict) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=60) as client:
        return client.post(path, headers={"Authorization": f"Bearer {token}"}, json=body)


def test_fifty_arrivals_at_once_get_gapless_unique_numbers_and_desks_never_share(lobby):
    base, url, (kiosk, officer, booked, open_today) = lobby
    jobs = [(f"/api/v1/bookings/{code}/check-in", {"nik": nik})
            for code, nik in booked.items()]
    jobs += [("/api/v1/offices/351504/walk-ins",
              {"nik": _nik(4000 + i, born="010150" if i % 4 == 0 else "120307"),
               "name": "Datang", "service": "pemula"}) for i in range(WALK_INS)]
    barrier = threading.Barrier(len(jobs))

    def arrive(job):
        barrier.wait()
        return _post(base, kiosk, *job)

    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(arrive, jobs))
    statuses = sorted(a.status_code for a in answers)
    expected_walk_ins = 201 if open_today else 409
    assert statuses == sorted([200] * CHECK_INS + [expected_walk_ins] * WALK_INS), \
        [a.text[:200] for a in answers if a.status_code >= 400][:3]
    engine = create_engine(url)
    with Session(engine) as session:
        tickets = session.exec(select(Ticket)).all()
        assert len(tickets) == CHECK_INS + (WALK_INS if open_today else 0)
        for lane in ("P", "A", "B"):
            numbers = sorted(t.number for t in tickets if t.lane == lane)
            assert numbers == list(range(1, len(numbers) + 1)), lane
        answered = {a.json()["ticket"]["number"] for a in answers if a.status_code < 300}
        assert len(answered) == len(tickets)

    desk_barrier = threading.Barrier(len(DESKS))

    def serve(counter):
        desk_barrier.wait()
        got = []
        while True:
            answer = _post(base, officer, "/api/v1/offices/351504/queue/next",
                           {"counter": counter})
            if answer.status_code == 204:
                return got
            assert answer.status_code == 200, answer.text
            got.append(answer.json()["ticket"])

    with ThreadPoolExecutor(len(DESKS)) as pool:
        served = list(pool.map(serve, DESKS))
    every = [number for desk in served for number in desk]
    assert len(every) == len(set(every)) == len(tickets)
    with Session(engine) as session:
        left = session.exec(select(Ticket).where(Ticket.status == "waiting")).all()
        assert left == []
    engine.dispose()
