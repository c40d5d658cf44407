"""The booking rush for `make bench` (issue 5): many people racing for one slot's places.

Helpers only (no import of run.py): the case itself is `rush` in run.py.

- `prepare(env, places)`: in the bench server's database, a bench office whose one slot a day
  holds `places` (no share held back, so every place is open to everyone), a second office with a
  very large slot for the throughput load, and an admin token (all offices).
- `rush(base, token, slot_id, clients)`: `clients` concurrent connections on 127.0.0.1, each
  POSTing one booking with its own NIK at the same moment; statuses and latencies.
- `BOOK_LUA`: a wrk script POSTing bookings with a fresh NIK per request.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

RUSH_OFFICE, LOAD_OFFICE = "999901", "999902"
BOOK_LUA = Path(__file__).resolve().parent / "book.lua"


def _first_bookable_weekday(today: date) -> date:
    day = today + timedelta(days=2)  # far from the same-day cut-off
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def prepare(env: dict[str, str], places: int = 200) -> dict:
    """Create the bench offices in the server's database; returns token and slot ids."""
    from datetime import time as clock

    from app import create_app
    from app.db import database
    from app.domain import accounts, capacity
    from app.models import Office, OpeningHours, Slot, Station, utcnow

    settings = {k: env[k] for k in ("INSTANCE_PATH", "BASE_URL", "RATE_LIMITS") if k in env}
    if env.get("DATABASE_URL"):
        settings["DATABASE_URL"] = env["DATABASE_URL"]
    app = create_app(settings)
    slots = {}
    with app.app_context(), database().session() as session:
        # 10-minute slots at 1 minute a visit: 20 stations give 200 places; a 240-minute slot
        # with 100 stations gives 24,000 (room for a whole throughput run).
        for code, units, minutes in ((RUSH_OFFICE, places // 10, 10), (LOAD_OFFICE, 100, 240)):
            if session.get(Office, code) is None:
                session.add(Office(code=code, name=f"Kantor uji beban {code}",
                                   timezone="Asia/Jakarta", address="127.0.0.1",
                                   slot_minutes=minutes, recording_minutes=1,
                                   held_back_percent=0, is_demo=True))
                session.flush()
                session.add_all(Station(code=f"{code}-{i}", office_code=code, name=f"Bench {i}",
                                        pool="station") for i in range(1, units + 1))
                session.add_all(OpeningHours(office_code=code, weekday=d, opens=clock(8),
                                             closes=_after(clock(8), minutes))
                                for d in range(7))
            office = session.get(Office, code)
            capacity.ensure_slots(session, office, "station", utcnow())
            day = _first_bookable_weekday(capacity.local_today(office, utcnow()))
            while day in capacity.closed_days(session, office, day, day):
                day += timedelta(days=1)
            views = capacity.list_slots(session, office, "station", day, day, utcnow())
            # None once a rush has filled the office's slot (later cases use the load office).
            slots[code] = views[0].slot.id if views else None
        _token, secret = accounts.mint_token(session, "admin", None, None, "bench")
        session.commit()
        capacities = {c: session.get(Slot, i).capacity for c, i in slots.items() if i}
    app.extensions["rekam_db"].dispose()
    return {"token": secret, "rush_slot": slots[RUSH_OFFICE], "load_slot": slots[LOAD_OFFICE],
            "capacities": capacities}


def _after(start, minutes: int):
    from datetime import datetime

    return (datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)).time()


def _nik(n: int) -> str:
    # 16 digits: Porong's region, a birth date that varies with n, a serial 1…9999.
    day, serial = 1 + (n // 9999) % 28, 1 + n % 9999
    return f"351504{day:02d}0390{serial:04d}"


ACCEPT_PAUSE = 0.5  # seconds after the last connection opened, before the rush


def _opened(ready: list) -> None:
    ready[0] -= 1
    if ready[0] <= 0:
        ready[1].set()


@dataclass
class RushResult:
    statuses: dict[int, int]
    errors: dict[str, int]
    latencies_ms: list[float]
    seconds: float
    by_target: dict[str, dict[int, int]] = field(default_factory=dict)  # base URL: statuses
    tokens: dict[str, list[str]] = field(default_factory=dict)  # base URL: receipt tokens issued

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return 0.0
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


async def _one(host: str, port: int, path: str, headers: str, body: bytes, start: asyncio.Event,
               opened: asyncio.Semaphore, ready: list) -> tuple[int | str, float, bytes]:
    try:
        async with opened:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 60)
            except (OSError, TimeoutError) as error:
                return type(error).__name__, 0.0, b""
    finally:
        _opened(ready)
    await start.wait()
    began = time.perf_counter()
    answer = b""
    try:
        writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 120)
        answer = await asyncio.wait_for(reader.read(), 120)
        status: int | str = int(status_line.split()[1])
    except (OSError, TimeoutError, IndexError, ValueError) as error:
        status = type(error).__name__
    finally:
        writer.close()
    return status, (time.perf_counter() - began) * 1000, answer


async def _rush(targets: list[tuple[str, str]], slot_id: int, clients: int,
                first: int) -> RushResult:
    """Client i POSTs to targets[i % len(targets)] = (base URL, bearer token)."""
    start = asyncio.Event()
    opened = asyncio.Semaphore(clients)
    ready = [clients, asyncio.Event()]  # connections still opening; set when none is
    tasks, bases = [], []
    for i in range(clients):
        base, token = targets[i % len(targets)]
        host, port = base.removeprefix("http://").split(":")
        headers = f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        bases.append(base)
        tasks.append(asyncio.create_task(_one(host, int(port), "/api/v1/bookings", headers,
                                              json.dumps({"nik": _nik(first + i),
                                                          "name": "Peserta", "service": "pemula",
                                                          "slot_id": slot_id}).encode(),
                                              start, opened, ready)))
    # Every connection open before anyone asks (a real rush), and a moment more for the
    # server to take them in: at most 2 s in all, as the fixed pause this replaces.
    waited = time.perf_counter()
    await asyncio.wait_for(ready[1].wait(), 60)
    await asyncio.sleep(max(0.0, min(ACCEPT_PAUSE, 2 - (time.perf_counter() - waited))))
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    seconds = time.perf_counter() - began
    out = RushResult({}, {}, [], seconds)
    for base, (status, ms, answer) in zip(bases, results, strict=True):
        if isinstance(status, int):
            out.statuses[status] = out.statuses.get(status, 0) + 1
            mine = out.by_target.setdefault(base, {})
            mine[status] = mine.get(status, 0) + 1
            out.latencies_ms.append(ms)
            if status == 201:
                body = answer.split(b"\r\n\r\n", 1)[-1]
                try:
                    verify_url = json.loads(body)["verify_url"]
                except (ValueError, KeyError, TypeError):
                    continue  # chunked or not JSON: no token to keep
                out.tokens.setdefault(base, []).append(verify_url.rsplit("/v/", 1)[1])
        else:
            out.errors[status] = out.errors.get(status, 0) + 1
    return out


def rush(base: str, token: str, slot_id: int, clients: int = 1000, first: int = 0) -> RushResult:
    return asyncio.run(_rush([(base, token)], slot_id, clients, first))


def rush_split(targets: list[tuple[str, str]], slot_id: int, clients: int,
               first: int = 0) -> RushResult:
    """The rush with its clients spread over several (server, token) pairs."""
    return asyncio.run(_rush(targets, slot_id, clients, first))
