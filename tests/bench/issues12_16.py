"""Rows of issues 12, 13, 14 and 16 for `make bench`, one table (section) per issue:

- `lobby` (issue 12): walk-ins, check-in of pre-made bookings, the board refresh, each against
  bare Flask in the same rounds;
- `officer-day` (issue 13): the day list of 2,000 bookings against its template over the same
  rows in memory (tests/bench/day_list.py), in-process on a database of its own;
- `outreach` (issue 14): 5,000 residents imported into outreach visits
  (tests/bench/outreach.py), in the bench server's database, rolled back;
- `capture` (issue 16): 1,000 queued records flushed after the link returns, and the agent's
  overhead per capture (tests/bench/capture.py).

Each measure is a function taking its sizes as arguments, so that tests/test_bench_smoke.py runs
it tiny; the `@row` functions call them at the issues' sizes.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.bench import lobby as lobby_bench
from tests.bench.run import (
    WRK_THREADS,
    Bench,
    Load,
    Row,
    row,
    row_table,
)

HERE = Path(__file__).resolve().parent
CHECK_IN_LUA = HERE / "check_in.lua"
PORONG = "351504"
CHECK_INS = 20_000  # bookings made for the check-in load: more than it can take in one run


# --- issue 12: the lobby --------------------------------------------------------------------


def _nik(n: int) -> str:
    """Distinct valid NIKs, men born 1985 in March–December (walk_in.lua and book.lua use
    women's days and the months 01–02, so no request of theirs meets one of these)."""
    month, rest = divmod(n, 28 * 9999)
    day, serial = divmod(rest, 9999)
    return f"{PORONG}{day + 1:02d}{month + 3:02d}85{serial + 1:04d}"


def prepare_check_ins(env: dict[str, str], folder: Path, bookings: int = CHECK_INS) -> Path:
    """`bookings` booked bookings in a slot under way today at Porong, their NIKs hashed with the
    server's DATA_KEY, inserted in bulk (the slot's counter says so: booking-check sees no
    drift); returns a file of "CODE NIK" lines for check_in.lua, with its offset file beside."""
    import sqlalchemy as sa
    from flask import current_app

    from app import create_app
    from app.db import database
    from app.domain.nik import nik_hash
    from app.models import Booking, Slot, utcnow
    from tests.bench.day_list import CROCKFORD

    settings = {k: env[k] for k in ("INSTANCE_PATH", "BASE_URL", "RATE_LIMITS", "DATABASE_URL",
                                    "DATA_KEY", "SECRET_KEY") if env.get(k)}
    app = create_app(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    people = [("".join(secrets.choice(CROCKFORD) for _ in range(8)), _nik(n))
              for n in range(bookings)]
    with app.app_context(), database().session() as session:
        key = current_app.config["DATA_KEY"].encode()
        slot = Slot(office_code=PORONG, pool="station", starts_at=now - timedelta(minutes=2),
                    ends_at=now + timedelta(hours=6), capacity=bookings, booked=bookings)
        session.add(slot)
        session.flush()
        session.execute(sa.insert(Booking), [
            {"code": code, "office_code": PORONG, "slot_id": slot.id, "service": "pemula",
             "status": "booked", "nik_hash": nik_hash(nik, key), "nik_last4": nik[-4:],
             "age_band": "21-59", "name": f"Warga Datang {n}", "needs": "[]",
             "priority": False, "held_share": False, "channel": "web", "created_by": "citizen",
             "created_at": utcnow()} for n, (code, nik) in enumerate(people)])
        session.commit()
    app.extensions["rekam_db"].dispose()
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / "check-ins.txt"
    listing.write_text("".join(f"{code} {nik}\n" for code, nik in people))
    (folder / "check-ins.offset").write_text("1 0")  # line 1: the harness's status check
    return listing


def lobby_loads(bench: Bench, bookings: int = CHECK_INS) -> dict[str, Load]:
    """The lobby's three loads (made once per run), measured in one pass: each round bare
    Flask, then walk-in, check-in and board; `bookings` pre-made for the check-in."""
    def make() -> dict[str, Load]:
        app = bench.server("app")
        kiosk = lobby_bench.prepare(app.env)
        listing = prepare_check_ins(app.env, bench.folder("check-in"), bookings)
        first_code, first_nik = listing.read_text().split("\n", 1)[0].split()
        walk_in = json.dumps({"nik": "3515044101900001", "name": "Cek",
                              "service": "pemula"}).encode()
        auth = {"Authorization": f"Bearer {kiosk}", "Content-Type": "application/json"}
        loads = {
            "walk_in": Load("walk-in", "app", f"/api/v1/offices/{PORONG}/walk-ins",
                            method="POST", body=walk_in, headers=auth, expect=(201,),
                            goal="—", script=lobby_bench.WALK_IN_LUA,
                            env={"BENCH_KIOSK_TOKEN": kiosk}),
            "check_in": Load("check-in", "app", f"/api/v1/bookings/{first_code}/check-in",
                             method="POST", body=json.dumps({"nik": first_nik}).encode(),
                             headers=auth, expect=(200,), goal="≥ 0.10", script=CHECK_IN_LUA,
                             env={"BENCH_CHECKIN_FILE": str(listing),
                                  "BENCH_CHECKIN_OFFSET": str(listing.with_suffix(".offset")),
                                  "BENCH_STRIDE": str(WRK_THREADS)}),
            "board": Load("board", "app", f"/display/{PORONG}", headers={"HX-Request": "true"},
                          goal="≥ 0.50"),
        }
        bench.measure(list(loads.values()))
        return loads

    return bench.once("lobby_loads", make)


def check_ins_sent(load: Load) -> tuple[int, int]:
    """(the first line of the listing no wrk run has handed out, requests all runs sent)."""
    next_line, sent = Path(load.env["BENCH_CHECKIN_OFFSET"]).read_text().split()
    return int(next_line), int(sent)


def _used(load: Load) -> str:
    made = len(Path(load.env["BENCH_CHECKIN_FILE"]).read_text().splitlines())
    next_line, sent = check_ins_sent(load)
    return (f"{sent:,} check-ins sent, each a booking of its own (up to line {next_line:,} of "
            f"{made:,} pre-made)")


@row("lobby", "check-in `POST /api/v1/bookings/{code}/check-in` with the NIK (200, ticket)",
     "≥ 0.10")
def check_in(bench: Bench) -> Row:
    load = lobby_loads(bench)["check_in"]
    measured = bench.ratio_row(load)
    if load.env.get("BENCH_CHECKIN_OFFSET") and Path(load.env["BENCH_CHECKIN_OFFSET"]).exists():
        measured.notes += f"; {_used(load)}"
    return measured


@row("lobby", "board refresh `GET /display/351504` (`HX-Request`)", "≥ 0.50")
def board(bench: Bench) -> Row:
    return bench.ratio_row(lobby_loads(bench)["board"])


@row("lobby", "walk-in `POST /api/v1/offices/351504/walk-ins` (booked, checked in, ticket; "
     "201)", "— (the issue sets no bar; a booking and a check-in in one)")
def walk_in(bench: Bench) -> Row:
    return bench.ratio_row(lobby_loads(bench)["walk_in"])


def _lobby_notes(bench: Bench) -> list[str]:
    return [
        "\"now\": req/s and, in bold, the ratio to bare Flask (median of each round's ratio, "
        f"{min(bench.rounds, bench.duration)} rounds, {bench.duration:g} s per URL in all, "
        "bare Flask then each load in turn).",
        f"Check-in: {CHECK_INS:,} bookings of today (Porong, one slot under way) inserted in "
        "bulk before the load, their NIKs hashed with the server's `DATA_KEY`; "
        "`tests/bench/check_in.lua` posts each booking's code and NIK once (an offset file "
        "carries the position from one wrk run to the next), so every answer is a real "
        "check-in: the NIK compared by keyed hash, the conditional UPDATE, the lane counter, "
        "the ticket.",
        "Walk-ins: each request a new NIK (`tests/bench/walk_in.lua`) into a slot under way "
        "today with room for the whole run: a booking, its check-in and a ticket each.",
        "Board: what every lobby TV asks every 3 s; one render a second per worker is shared "
        "by all of them (`app/web/display/routes.py`).",
    ]


row_table("lobby", "Lobby: check-in and the call board (issue 12)", _lobby_notes)


# --- issue 13: the officer's day list ---------------------------------------------------------


def day_list_measure(folder: Path, bookings: int = 2000, rounds: int = 5) -> dict:
    """A fresh SQLite database of its own (demo data, `bookings` today at Porong), an officer of
    Porong signed in through /login on a test client, then day_list_timings."""
    from app import create_app
    from app.db import database
    from app.domain import accounts
    from app.domain.demo import seed_demo
    from app.migrate import upgrade
    from tests.bench.day_list import day_list_timings, seed_day

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder}/day.sqlite3"
    upgrade(url)
    app = create_app({"INSTANCE_PATH": str(folder), "DATABASE_URL": url, "RATE_LIMITS": "off",
                      "BASE_URL": "http://127.0.0.1:5000", "WTF_CSRF_ENABLED": False})
    password = secrets.token_urlsafe(16)
    try:
        with app.app_context(), database().session() as session:
            seed_demo(session)
            seed_day(session, PORONG, bookings)
            accounts.create_user(session, "bench-petugas", password, "officer", PORONG)
            session.commit()
        # No app context held around the requests: each request's own closes its session (one
        # held open would keep SQLite's write lock from the template's request context).
        client = app.test_client()
        signed_in = client.post("/login", data={"username": "bench-petugas",
                                                "password": password})
        if signed_in.status_code != 303:
            raise RuntimeError(f"officer sign-in answered {signed_in.status_code}")
        return day_list_timings(app, client, PORONG, rounds=rounds)
    finally:
        app.extensions["rekam_db"].dispose()


@row("officer-day", "`GET /officer/` for 2,000 bookings today, ÷ `officer/day.html` over the "
     "same rows in memory", "≤ 2 ×")
def day_list(bench: Bench) -> Row:
    t = day_list_measure(bench.folder("day-list"))
    return Row(f"route {t['route_ms']:.0f} ms, template {t['template_ms']:.0f} ms: "
               f"**{t['ratio']:.2f} ×**", t["ratio"] <= 2,
               f"{t['rows']:,} rows; best of 5 each, in-process (Flask test client), after a "
               "warm-up request")


def _day_notes(_bench: Bench) -> list[str]:
    return ["`tests/bench/day_list.py`: a fresh SQLite database (`seed-demo`), 2,000 bookings "
            "today at Porong in 16 half-hour slots (`seed_day`), an officer of Porong signed in "
            "through `/login`; the whole request (session, the one query, the render) against "
            "the same template rendered over the same rows already in a list, in the same "
            "process and the same minute."]


row_table("officer-day", "Officer's day list (issue 13)", _day_notes)


# --- issue 14: outreach import ----------------------------------------------------------------


def outreach_measure(env: dict[str, str], residents: int = 5000) -> dict:
    from tests.bench.outreach import outreach_import_seconds

    return outreach_import_seconds(env, residents=residents)


@row("outreach", "import 5,000 residents into outreach visits", "< 10 s")
def outreach_import(bench: Bench) -> Row:
    r = outreach_measure(bench.server("app").env)
    return Row(f"**{r['seconds']:.1f} s** wall, {r['cpu_seconds']:.1f} s CPU",
               bool(r["met"]),
               f"{r['booked']:,} of {r['residents']:,} booked into {r['visits']} visits; "
               "the goal is judged on the wall time")


def _outreach_notes(_bench: Bench) -> list[str]:
    return ["`tests/bench/outreach.py`: visits planned for the residents (6 days, 20 mobile "
            "sets, 08:00–16:00; not timed) in the bench server's database, then the CSV rows "
            "imported through `app.domain.outreach.import_residents` — per row the NIK check "
            "and the booking function every channel uses — and everything rolled back. The "
            "CPU seconds are this process's: on a shared machine the steadier figure."]


row_table("outreach", "Outreach import (issue 14)", _outreach_notes)


# --- issue 16: capture ------------------------------------------------------------------------


def capture_flush(folder: Path, records: int = 1000) -> dict:
    from tests.bench.capture import flush_after_link_returns

    folder.mkdir(parents=True, exist_ok=True)
    env_url = os.environ.pop("TEST_DATABASE_URL", None)  # the portal on SQLite, as the bench
    try:
        return flush_after_link_returns(records, tmp=folder)
    finally:
        if env_url is not None:
            os.environ["TEST_DATABASE_URL"] = env_url


def capture_overhead(folder: Path, sessions: int = 20) -> dict:
    from tests.bench.capture import agent_overhead

    folder.mkdir(parents=True, exist_ok=True)
    return agent_overhead(sessions, tmp=folder)


@row("capture", "1,000 queued records flushed after the link returns", "≤ 30 s")
def flush(bench: Bench) -> Row:
    r = capture_flush(bench.folder("capture-flush"))
    return Row(f"**{r['seconds']:.1f} s**", bool(r["met"]),
               f"{r['records']:,} records, portal on {r['database']}")


@row("capture", "agent overhead per capture beyond the device's own time", "≤ 50 ms (p95)")
def overhead(bench: Bench) -> Row:
    r = capture_overhead(bench.folder("capture-overhead"))
    return Row(f"median {r['median_ms']:.1f} ms, **p95 {r['p95_ms']:.1f} ms**", bool(r["met"]),
               f"{r['captures']} captures; device round trip median "
               f"{r['device_median_ms']:.1f} ms")


def _capture_notes(_bench: Bench) -> list[str]:
    return [
        "`tests/bench/capture.py` (also `python -m tests.bench.capture [flush|overhead]`). "
        "Flush: the portal under gunicorn (2 workers × 4 threads, SQLite), a `rekam-agent` "
        "process with its production settings (heartbeat 30 s, a probe every 5 s while down, "
        "backoff ≤ 60 s, 4 senders) behind a proxy that refuses every connection; the records "
        "queued and each tried at least once, then the link returns: seconds until the last "
        "is acked.",
        "Overhead: an agent in this process against the SBI simulator, 20 sessions × 6 steps; "
        "the whole `capture` call less the device's round trip (JWS and hash-chain checks, "
        "sealing, SQLite).",
    ]


row_table("capture", "Capture (issue 16)", _capture_notes)

