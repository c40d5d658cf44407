"""The officer's day list at scale (issue 13): an office with 2,000 bookings today, and how the
route's time compares with the same template rendered over the same rows from a list in
memory, measured in the same run. Helpers only: a `make bench` case calls `seed_day` once,
then `day_list_timings` with a test client signed in as an officer of that office; the issue's
bar is `ratio <= 2`. tests/test_officer_day_scale.py runs the same functions.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NEEDS = ('["wheelchair"]', '["sign_language", "companion"]', "[]", "[]", "[]")
STATUSES = ("booked", "booked", "checked_in", "recorded", "no_show")


def seed_day(session, office_code: str = "351504", bookings: int = 2000,
             now: datetime | None = None) -> int:
    """Today's slots (08:00–16:00 every 30 minutes, station pool) and `bookings` bookings in
    them, inserted in bulk; returns how many bookings the office now has today."""
    from app.domain import capacity
    from app.domain.officer_day import day_bounds
    from app.models import Booking, Office, Slot, utcnow

    now = now or utcnow()
    office = session.get(Office, office_code)
    start, _end = day_bounds(office, capacity.local_today(office, now))
    slot_ids = []
    for n in range(16):
        starts = start + timedelta(hours=8, minutes=30 * n)
        slot = session.execute(sa.select(Slot).where(
            Slot.office_code == office_code, Slot.pool == "station",
            Slot.starts_at == starts)).scalar_one_or_none()
        if slot is None:
            slot = Slot(office_code=office_code, pool="station", starts_at=starts,
                        ends_at=starts + timedelta(minutes=30), capacity=0, held_back=0)
            session.add(slot)
            session.flush()
        slot_ids.append(slot.id)
    rows = [{"code": "".join(secrets.choice(CROCKFORD) for _ in range(8)),
             "office_code": office_code, "slot_id": slot_ids[n % len(slot_ids)],
             "service": "pemula", "status": STATUSES[n % len(STATUSES)],
             "nik_hash": secrets.token_hex(32), "nik_last4": f"{n % 10000:04d}",
             "age_band": "21-59", "name": f"Warga Nomor {n:04d}", "needs": NEEDS[n % len(NEEDS)],
             "priority": n % 7 == 0, "held_share": False, "channel": "web",
             "created_by": "citizen", "created_at": now} for n in range(bookings)]
    session.execute(sa.insert(Booking), rows)
    session.flush()
    return len(rows)


def _best_ms(work, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def day_list_timings(app, client, office_code: str = "351504", rounds: int = 5) -> dict:
    """Best-of-`rounds` milliseconds of GET /officer/ (the whole request: sign-in check, the
    one query, the render) against `officer/day.html` rendered over the same rows already in
    a list, in a request context of its own. `client` is signed in as an officer of
    `office_code`."""
    from flask import render_template

    from app.db import database
    from app.domain import capacity
    from app.domain.officer_day import day_list
    from app.models import Office, utcnow
    from app.web.officer.day import day_context
    from app.web.officer.day_forms import DayFilterForm

    def fetch():
        answer = client.get("/officer/")
        assert answer.status_code == 200, answer.status_code
        return answer

    fetch()  # warm: templates compiled, statements cached
    route_ms = _best_ms(fetch, rounds)
    with app.test_request_context("/officer/"), database().session() as session:
        office = session.get(Office, office_code)
        now = utcnow()
        rows = day_list(session, office, capacity.local_today(office, now))
        context = day_context(office, rows, DayFilterForm(), now)
        # The signed-in officer the page greets, without a session lookup.
        context["current_user"] = type("Officer", (), {"office_code": office_code,
                                                       "username": "petugas"})()
        render_template("officer/day.html", **context)
        template_ms = _best_ms(lambda: render_template("officer/day.html", **context), rounds)
    return {"rows": len(rows), "route_ms": round(route_ms, 1),
            "template_ms": round(template_ms, 1), "ratio": round(route_ms / template_ms, 2)}
