"""The bench's own pieces work (issue 11), so that `make bench` — a benchmark, not a timed test —
cannot rot unnoticed: the kabupaten generator on a tiny scale, the row registry, and the
two-server harness (its own PostgreSQL and redis-server) with a tiny rush. No timings here."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from sqlmodel import func, select

from app import create_app
from app.db import database
from app.domain import capacity, receipts
from app.domain.booking import counter_drift
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import Booking, Office, Receipt, Slot, utcnow
from tests.bench import issue11, run, scale, services
from tests.support.databases import fresh_database

HAVE_SERVERS = bool(shutil.which("redis-server")) and (
    any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or bool(shutil.which("initdb")))
needs_servers = pytest.mark.skipif(
    not HAVE_SERVERS and os.environ.get("CI") != "true",
    reason="PostgreSQL server binaries and redis-server are needed (apt-get install postgresql "
           "redis-server; .ci/run installs them)")


def _seeded_app(url: str, settings: dict):
    """The app over a migrated database with the demo offices, committed (a bench server's)."""
    upgrade(url)
    app = create_app(settings)
    with app.app_context(), database().session() as session:
        seed_demo(session)
        session.commit()
    return app


def _indexes(url: str) -> dict[str, list]:
    """The three tables' indexes, UNIQUE constraints, foreign keys and (SQLite) triggers: what
    the bulk load drops and makes again."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        found: dict[str, list] = {}
        for t in ("slot", "booking", "receipt"):
            found[t] = sorted(i["name"] for i in inspector.get_indexes(t))
            found[f"{t} unique"] = sorted(str(u["column_names"])
                                          for u in inspector.get_unique_constraints(t))
            found[f"{t} foreign keys"] = sorted(f"{f['constrained_columns']}→{f['referred_table']}"
                                                for f in inspector.get_foreign_keys(t))
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                found["triggers"] = conn.execute(sa.text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
                )).all()
        return found
    finally:
        engine.dispose()


def _content_stamp(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT n FROM change_stamp")).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.db
def test_the_generator_makes_a_kabupaten_whose_counters_and_tokens_hold(tmp_path):
    url = fresh_database("bench_scale", tmp_path)
    settings = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url, "RATE_LIMITS": "off",
                "BASE_URL": "http://127.0.0.1:5000"}
    app = _seeded_app(url, settings)
    app.extensions["rekam_db"].dispose()
    indexes_before = _indexes(url)
    stamp_before = _content_stamp(url)

    made = scale.generate(settings, bookings=400, offices=4, days=21)

    assert _indexes(url) == indexes_before  # the bulk load drops and makes them again
    if url.startswith("sqlite"):  # the triggers' work, done once: a kept answer sees the change
        assert _content_stamp(url) >= stamp_before + made.slots + 2 * made.bookings

    assert made.offices == 4
    assert 300 <= made.bookings <= 500
    assert made.receipts == made.bookings
    with app.app_context(), database().session(write=False) as session:
        assert counter_drift(session) == []  # what booking-check reports
        assert session.exec(select(func.count()).select_from(Booking)).one() == made.bookings
        assert session.exec(select(func.count()).select_from(Receipt)).one() == made.receipts
        # One receipt per booking, each naming a booking that is there.
        assert session.exec(select(func.count(func.distinct(Receipt.booking_id)))).one() \
            == made.receipts
        assert session.exec(select(func.count()).select_from(Receipt).outerjoin(
            Booking, Booking.id == Receipt.booking_id).where(Booking.id.is_(None))).one() == 0
        offices = set(session.exec(select(Booking.office_code).distinct()))
        assert offices == {"351501", "351502", "351503", "351504"}
        # No slot holds more than its open share; the past holds the states a year leaves.
        for slot in session.exec(select(Slot).where(Slot.booked > 0)):
            assert slot.booked <= slot.capacity - slot.held_back
        statuses = set(session.exec(select(Booking.status).distinct()))
        assert {"booked", "collected"} <= statuses
        # Both pools' horizons are complete: the app's own job would add no slot.
        for code in offices:
            office = session.get(Office, code)
            for pool in ("station", "counter"):
                assert capacity.missing_times(session, office, pool,
                                              *capacity.horizon(office, utcnow())) == []
        # The tokens are the app's own: genuine under the published key.
        current = receipts.verify_token(session, made.sample_token)
        assert current.genuine and current.status == "valid"
        assert receipts.verify_token(session, made.past_token).genuine
    app.extensions["rekam_db"].dispose()


def test_a_row_is_one_function_and_a_broken_row_hides_no_other():
    def answer(_bench):
        return run.Row("42 req/s, **0.50**", True, "fine")

    def broken(_bench):
        raise RuntimeError("boom")

    try:
        run.row("smoke", "the answer", "≥ 0.40")(answer)
        run.row("smoke", "a broken row", "≥ 0.10")(broken)
        run.row_table("smoke", "Smoke", optional="--never")
        assert run.CASES["smoke"].optional == "--never"  # not run by a plain `make bench`
        section = run.CASES["smoke"].func(None)
    finally:
        run.ROWS.pop("smoke", None)
        run.CASES.pop("smoke", None)
    assert section.columns == run.ROW_COLUMNS
    assert section.rows[0] == ["the answer", "42 req/s, **0.50**", "≥ 0.40", "met", "fine"]
    assert section.rows[1][0] == "a broken row"
    assert section.rows[1][1] == "error: RuntimeError: boom"
    assert section.rows[1][3] == "**NOT met**"


@needs_servers
@pytest.mark.slow
def test_two_servers_behind_one_postgres_and_one_redis_book_exactly_and_share_limits():
    args = run.parse_args(["--quick", "--no-write"])
    with contextlib.ExitStack() as stack:
        bench = run.Bench(args, stack)
        section = issue11.scale_out(bench, clients=30, places=10, tokens_used=2)
        started = list(bench.servers.values())
        pg, redis = bench.postgres(), bench.redis()
        instance = bench.instance
    rush_row, cross_row, limit_row = section.rows
    assert rush_row[1].startswith("**10 booked**"), rush_row
    assert "booking-check: no drift" in rush_row[4]
    assert cross_row[3] == "met", cross_row
    assert limit_row[3] == "met", limit_row
    # Everything the bench started is gone.
    assert started and all(s.proc is None and s.stopping is None for s in started)
    assert redis.proc.poll() is not None
    assert not pg.folder.exists() and not instance.exists()
    with pytest.raises(OSError):
        services.socket.create_connection(("127.0.0.1", pg.port), timeout=1).close()


# --- issues 12, 13, 14 and 16: each row's function at a tiny size (tests/bench/issues12_16.py) --


@pytest.mark.slow
def test_the_lobby_loads_check_each_booking_in_once_and_refresh_the_board():
    from tests.bench import issues12_16

    args = run.parse_args(["--no-write", "--duration", "1", "--rounds", "1"])
    with contextlib.ExitStack() as stack:
        bench = run.Bench(args, stack)
        loads = issues12_16.lobby_loads(bench, bookings=3000)
        rows = {name: bench.ratio_row(load) for name, load in loads.items()}
        env = bench.server("app").env
        listing = Path(loads["check_in"].env["BENCH_CHECKIN_FILE"])
        next_line, sent = issues12_16.check_ins_sent(loads["check_in"])
        checked_in = _checked_in(env, listing.read_text().split()[::2])
        started, instance = list(bench.servers.values()), bench.instance
    for name, measured in rows.items():
        assert "req/s" in measured.now and "errors" not in measured.notes, (name, measured)
    # Every request a booking of its own (no 409 above): as many checked in as wrk sent, less
    # those still in flight when it stopped, and the harness's status check; each a ticket.
    assert 1 < next_line < 3000 and 0 < sent < next_line
    assert sent + 1 - 2 * run.WRK_CONNECTIONS <= checked_in[0] <= sent + 1
    assert checked_in[1] == checked_in[0]
    assert started and all(s.proc is None for s in started) and not instance.exists()


def _checked_in(env: dict[str, str], codes: list[str]) -> tuple[int, int]:
    import sqlalchemy as sa

    from app.models import Ticket

    settings = {k: env[k] for k in ("INSTANCE_PATH", "BASE_URL") if k in env}
    app = create_app(settings)
    with app.app_context(), database().session(write=False) as session:
        done = session.exec(select(Booking.id).where(Booking.code.in_(codes),
                                                     Booking.status == "checked_in")).all()
        tickets = session.execute(sa.select(func.count()).select_from(Ticket)
                                  .where(Ticket.booking_id.in_(done))).scalar_one()
    app.extensions["rekam_db"].dispose()
    return len(done), tickets


def test_the_day_list_row_times_the_route_and_the_template_over_the_same_rows(tmp_path):
    from tests.bench import issues12_16

    timings = issues12_16.day_list_measure(tmp_path, bookings=30, rounds=1)
    assert timings["rows"] == 30
    assert timings["route_ms"] > 0 and timings["template_ms"] > 0
    assert timings["ratio"] == pytest.approx(timings["route_ms"] / timings["template_ms"], rel=0.05)


def test_the_outreach_row_imports_residents_and_leaves_nothing_behind(tmp_path):
    from tests.bench import issues12_16

    url = f"sqlite:///{tmp_path}/outreach.sqlite3"
    env = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url,
           "BASE_URL": "http://127.0.0.1:5000"}
    app = _seeded_app(url, env)
    with app.app_context(), database().session(write=False) as session:
        before = session.exec(select(func.count()).select_from(Booking)).one()
    result = issues12_16.outreach_measure(env, residents=40)
    with app.app_context(), database().session(write=False) as session:
        after = session.exec(select(func.count()).select_from(Booking)).one()
    app.extensions["rekam_db"].dispose()
    assert result["booked"] == 40 and result["visits"] == 1
    assert after == before  # rolled back


@pytest.mark.slow
def test_the_capture_rows_flush_a_queue_and_time_the_agent(tmp_path):
    from tests.bench import issues12_16

    flushed = issues12_16.capture_flush(tmp_path / "flush", records=10)
    assert flushed["records"] == 10 and flushed["seconds"] >= 0
    overhead = issues12_16.capture_overhead(tmp_path / "overhead", sessions=1)
    assert overhead["captures"] >= 1 and overhead["p95_ms"] >= 0


def test_the_new_tables_are_sections_of_a_plain_make_bench():
    for name in ("lobby", "officer-day", "outreach", "capture"):
        assert name in run.CASES and not run.CASES[name].optional
        assert run.ROWS[name], name
