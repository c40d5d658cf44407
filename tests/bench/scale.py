"""A kabupaten-sized database for `make bench ARGS=--scale` (issue 11, "How cost grows").

`generate(settings)` fills a database that `seed-demo` made (schema, Porong, Panakkukang) with
the rest of Kabupaten Sidoarjo's 18 kecamatan offices (Porong is one), a year of slots behind
today and the booking horizon ahead, about 400,000 bookings and one booking receipt per booking
as a signed token only (no PDF: DESIGN §4 renders on first download, and the generator must be
fast). Past bookings carry the states a year leaves (collected, card ready, recorded, no-show,
cancelled); future ones are `booked`. Every slot's counters equal a recount of its bookings
(`booking-check` finds no drift), and each token verifies against the published key.

Fast because it does not go through the domain function per row, and because both cores work:

- The parent plans every row first (which slots fill how far, each booking's state, so each
  slot's counter is known before a booking exists), assigns the ids, and cuts the year into
  chunks of about equal bookings.
- Worker processes (one per core, `fork`) each make their chunks' booking and receipt rows as
  tuples — the tokens signed with the key's raw Ed25519 key through libsodium (PyNaCl, about
  twice as fast as the `cryptography` call) over the same JWS compact form
  `app.adapters.signing.sign` produces (its header segment is taken from one token it signs) —
  and load them themselves: into a SQLite file of the chunk's own (one `executemany` per table)
  and, for a PostgreSQL database, with `COPY … FROM STDIN` on a connection of their own.
- Meanwhile the parent writes the slots. Then it merges the chunk files into the SQLite database
  (`INSERT … SELECT`, in C) and makes its indexes again, while a thread has PostgreSQL make its
  own again.

During the load each database has no secondary indexes (one sort each afterwards is far cheaper
than 400,000 random B-tree inserts), SQLite has no journal and no `synchronous` and none of the
content-stamp triggers on these three tables (the stamp is moved by the rows' count once
instead, as the triggers would have moved it), and PostgreSQL has no foreign keys and no UNIQUE
constraints on them (made again after, which checks every row once). Everything is made again
exactly as the migrations made it (the smoke test compares), and SQLite is back in WAL mode. The
slot times come from the domain's `capacity.planned_times`, so they are the ones the app itself
would make; the counter pool's horizon is made by the app itself (`capacity.ensure_slots`).

    python -m tests.bench.scale [BOOKINGS] [--postgres]   # time the phases on a fresh database
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

SIDOARJO = [  # Kemendagri 2025 (app/data/wilayah-2025-kecamatan.csv), 35.15.01 … 35.15.18
    "Tarik", "Prambon", "Krembung", "Porong", "Jabon", "Tanggulangin", "Candi", "Sidoarjo",
    "Tulangan", "Wonoayu", "Krian", "Balongbendo", "Taman", "Sukodono", "Buduran", "Gedangan",
    "Sedati", "Waru",
]
STATIONS = 3  # each new office: 3 recording stations, 1 counter (Porong keeps its demo 2 + 2)
PAST = (("collected", 70), ("card_ready", 8), ("recorded", 5), ("no_show", 10),
        ("cancelled", 7))
SERVICES = ("pemula", "pemula", "pemula", "rusak", "hilang", "perubahan")
TABLES = ("slot", "booking", "receipt")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [CROCKFORD[i >> 5] + CROCKFORD[i & 31] for i in range(1024)]  # 10 bits → 2 letters
DAY = 86400

# The columns the generator makes, in the order its tuples hold them; every other column of the
# table takes its scalar default (or NULL), as an insert through the ORM would.
SLOT_FIELDS = ("id", "office_code", "pool", "starts_at", "ends_at", "capacity", "held_back",
               "booked", "booked_priority")
BOOKING_FIELDS = ("id", "code", "office_code", "slot_id", "service", "status", "nik_hash",
                  "nik_last4", "age_band", "name", "phone", "desa_code", "needs", "priority",
                  "held_share", "channel", "consent", "created_by", "created_at",
                  "checked_in_at", "in_capture_at", "recorded_at", "card_ready_at",
                  "collected_at", "no_show_at", "cancelled_at")
RECEIPT_FIELDS = ("id", "booking_id", "kind", "token", "token_sha256", "kid", "issued_at",
                  "expires_at")


@dataclass
class Generated:
    offices: int
    slots: int
    bookings: int
    receipts: int
    seconds: float
    phases: dict[str, float]
    sample_token: str  # a generated receipt's token (a future, active booking)
    past_token: str  # one of a collected booking in the past
    processes: int = 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_EPOCH = date(1970, 1, 1)
_DAYS: dict[int, str] = {}


def _stamp(ts: int) -> str:
    """Whole epoch seconds as SQLAlchemy's SQLite DATETIME stores them (naive UTC, microseconds
    always written: the app compares these as strings, so the format must be exactly this),
    which PostgreSQL's COPY reads as a timestamptz in a session whose time zone is UTC."""
    day, rest = divmod(ts, DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = (_EPOCH + timedelta(days=day)).isoformat()
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{prefix} {hours:02d}:{minutes:02d}:{seconds:02d}.000000"


def _sqlite_time(value: datetime) -> str:
    """What SQLAlchemy's SQLite DATETIME stores for an aware datetime (to check _stamp)."""
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _seconds(value: datetime) -> int:
    if value.microsecond:
        raise ValueError(f"slot time with microseconds: {value!r}")
    return int(value.timestamp())


def _layout(table, fields: tuple[str, ...]) -> tuple[list[str], itemgetter, tuple]:
    """(the table's column names, a getter that puts a tuple made in `fields` order followed by
    the defaults into the table's column order, those defaults)."""
    names = [c.name for c in table.columns]
    unknown = set(fields) - set(names)
    if unknown:
        raise RuntimeError(f"table {table.name} has no column {sorted(unknown)}: "
                           "tests/bench/scale.py is out of date")
    rest = [c for c in table.columns if c.name not in fields]
    defaults = []
    for c in rest:
        value = c.default.arg if c.default is not None and c.default.is_scalar else None
        if c.nullable is False and value is None:
            raise RuntimeError(f"{table.name}.{c.name} needs a value: tests/bench/scale.py "
                               "is out of date")
        if value is not None and not isinstance(value, str | int):
            raise RuntimeError(f"{table.name}.{c.name}: default {value!r} not written here")
        defaults.append(value)
    where = {name: i for i, name in enumerate(fields)}
    where.update({c.name: len(fields) + i for i, c in enumerate(rest)})
    return names, itemgetter(*(where[n] for n in names)), tuple(defaults)


def _code(m: int) -> str:
    """40 bits as 8 Crockford base32 letters (a booking code's form)."""
    return (_PAIRS[m >> 30] + _PAIRS[(m >> 20) & 1023] + _PAIRS[(m >> 10) & 1023]
            + _PAIRS[m & 1023])


@dataclass
class _Job:
    """What the worker processes need, inherited through fork (nothing pickled)."""

    plan: list[tuple]  # per slot: (id, office, starts, ends as epoch s, local start, statuses)
    chunks: list[tuple[int, int, int]]  # (first plan index, end index, first booking number)
    first_booking: int  # id of booking number 0
    first_receipt: int  # the first receipt id (a chunk numbers its receipts in token order)
    existing: frozenset[str]  # booking codes already in one of the databases
    scramble: tuple[int, int]  # booking number → code: (n * a + b) mod 2**40, a odd: no repeats
    header: str
    kid: str
    secret: bytes  # libsodium's 64-byte Ed25519 secret key
    nik_key: bytes
    grace: int  # seconds a booking receipt stays valid after its slot ends
    version: int
    booking: tuple  # _layout(...) of each table
    receipt: tuple
    folder: str | None  # where the chunks' SQLite files go (None: no SQLite database)
    postgres: list[str] = field(default_factory=list)  # libpq URLs to COPY into


_JOB: _Job | None = None


def _booking_code(job: _Job, n: int) -> str:
    a, b = job.scramble
    for shift in (0, 1 << 38, 2 << 38, 3 << 38):  # n < 2**38: four disjoint tries per n
        code = _code(((n + shift) * a + b) & ((1 << 40) - 1))
        if code not in job.existing:
            return code
    raise RuntimeError(f"no free booking code for booking {n}")


def _fill(chunk: int) -> dict:
    """One chunk's bookings and receipts: made, then loaded into every database (in a worker).
    Its `seconds` are the worker's CPU seconds (steadier than wall time on a shared machine)."""
    from nacl.bindings import crypto_sign

    from app.domain.receipts import printed_name

    job = _JOB
    t = time.process_time()
    first, end, n = job.chunks[chunk]
    bookings, receipts = [], []
    b_get, b_rest = job.booking[1], job.booking[2]
    r_get, r_rest = job.receipt[1], job.receipt[2]
    header, kid, secret, nik_key = job.header, job.kid, job.secret, job.nik_key
    digest, sha256, stamp, b64 = hmac.digest, hashlib.sha256, _stamp, _b64
    sample = past = ""
    latest = 0
    for index in range(first, end):
        slot_id, office, starts, ends, local_start, statuses = job.plan[index]
        if not statuses:
            continue
        s_start, s_in, s_recorded = stamp(starts), stamp(starts + 180), stamp(starts + 540)
        s_ready, s_collected = stamp(starts + 14 * DAY), stamp(starts + 16 * DAY)
        s_no_show = stamp(starts + 1800)
        expires = ends + job.grace
        s_expires = stamp(expires)
        latest = max(latest, expires)
        claims_slot = f'"o":"{office}","s":"{local_start}",'
        for status in statuses:
            booking_id = job.first_booking + n
            code = _booking_code(job, n)
            nik, last4, band = _nik(office, n)
            created = starts - (1 + n % 20) * DAY - (n % 600) * 60
            s_created = stamp(created)
            service = SERVICES[n % len(SERVICES)]
            name = f"Warga Sidoarjo {n}"
            checked = capture = recorded = ready = collected = no_show = cancelled = None
            if status in ("collected", "card_ready", "recorded"):
                checked, capture, recorded = s_start, s_in, s_recorded
                if status != "recorded":
                    ready = s_ready
                if status == "collected":
                    collected = s_collected
            elif status == "no_show":
                no_show = s_no_show
            elif status == "cancelled":
                cancelled = stamp(created + 5 * 3600)
            bookings.append(b_get((
                booking_id, code, office, slot_id, service, status,
                digest(nik_key, nik.encode(), "sha256").hex(), last4, band, name, None, None,
                "[]", band == "60+", False, "web" if n % 3 else "desa_staff",
                None if n % 3 else "present", "citizen", s_created, checked, capture, recorded,
                ready, collected, no_show, cancelled) + b_rest))
            # json.dumps(claims, separators=(",", ":"), ensure_ascii=False), written out (the
            # values need no escaping; the first of each chunk is checked against json.dumps).
            payload = (f'{{"v":{job.version},"d":"booking","b":"{code}",{claims_slot}'
                       f'"n":"{printed_name(name)}","k":"{last4}","t":"{service}",'
                       f'"iat":{created},"exp":{expires}}}')
            if not receipts:
                claims = {"v": job.version, "d": "booking", "b": code, "o": office,
                          "s": local_start, "n": printed_name(name), "k": last4, "t": service,
                          "iat": created, "exp": expires}
                if payload != json.dumps(claims, separators=(",", ":"), ensure_ascii=False):
                    raise RuntimeError(f"claims written differently: {payload}")
            body = header + "." + b64(payload.encode())
            token = body + "." + b64(crypto_sign(body.encode(), secret)[:64])
            receipts.append(r_get((None, booking_id, "booking", token,
                                   sha256(token.encode()).hexdigest(), kid, s_created,
                                   s_expires) + r_rest))
            if status == "booked" and not sample:
                sample = token
            if status == "collected" and not past:
                past = token
            n += 1
    # The chunk's receipts in token order, their ids given in that order (a receipt's id is its
    # own: its booking is `booking_id`): the UNIQUE index on the token then grows in one run per
    # chunk, as the table does, instead of taking 400,000 random inserts.
    names = job.receipt[0]
    at_token, at_id = names.index("token"), names.index("id")
    receipts.sort(key=itemgetter(at_token))
    first_id = job.first_receipt + job.chunks[chunk][2]
    receipts = [(*r[:at_id], first_id + i, *r[at_id + 1:]) for i, r in enumerate(receipts)]
    seconds = {"rows and tokens": time.process_time() - t}
    tables = (("booking", job.booking[0], bookings), ("receipt", job.receipt[0], receipts))
    path = None
    if job.folder:
        t = time.process_time()
        path = os.path.join(job.folder, f"chunk-{chunk:02d}.sqlite3")
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
            con.execute("BEGIN")
            for name, columns, rows in tables:
                con.execute(f'CREATE TABLE "{name}" ({", ".join(map(_quote, columns))})')
                con.executemany(f'INSERT INTO "{name}" VALUES '
                                f'({", ".join("?" * len(columns))})', rows)
            con.execute("COMMIT")
        finally:
            con.close()
        seconds["SQLite chunk files"] = time.process_time() - t
    for url in job.postgres:
        import psycopg

        t = time.process_time()
        with psycopg.connect(url) as conn:  # committed at the end of the block
            conn.execute("SET TIME ZONE 'UTC'")
            with conn.cursor() as cursor:
                for name, columns, rows in tables:
                    with cursor.copy(f'COPY "{name}" ({", ".join(map(_quote, columns))}) '
                                     "FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
        seconds["PostgreSQL COPY, client side"] = (seconds.get("PostgreSQL COPY, client side", 0)
                                                   + time.process_time() - t)
    return {"chunk": chunk, "bookings": len(bookings), "sample": sample, "past": past,
            "latest": latest, "path": path, "seconds": seconds}


def _quote(name: str) -> str:
    return f'"{name}"'


class _Sqlite:
    """A SQLite target: indexes and content-stamp triggers of the three tables dropped, no
    journal for the load; the chunks' files merged in; all made again; WAL again."""

    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa

        self.path = sa.engine.make_url(url).database
        self.con = sqlite3.connect(self.path, isolation_level=None)
        self.again: list[str] = []
        self.stamps = 0  # rows inserted into a table whose stamp trigger was dropped

    def prepare(self) -> None:
        con = self.con
        con.execute("PRAGMA cache_size = -1048576")  # 1 GiB, for this connection only
        con.execute("PRAGMA synchronous = OFF")
        # No WAL for the load (it would write every page twice); WAL again after (finish).
        con.execute("PRAGMA journal_mode = OFF")
        marks = ", ".join("?" for _ in TABLES)
        found = con.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN "
            f"({marks}) AND (type = 'index' OR (type = 'trigger' AND name LIKE "
            "'change\\_stamp\\_%' ESCAPE '\\'))", TABLES).fetchall()
        con.execute("BEGIN")
        for kind, name, sql in found:
            con.execute(f'DROP {kind.upper()} "{name}"')
            self.again.append(sql)
        con.execute("COMMIT")
        self.triggers = any(kind == "trigger" for kind, _n, _s in found)

    def write(self, table, rows: list[tuple]) -> None:
        names = [c.name for c in table.columns]
        self.con.execute("BEGIN")
        self.con.executemany(f'INSERT INTO "{table.name}" ({", ".join(map(_quote, names))}) '
                             f'VALUES ({", ".join("?" * len(names))})', rows)
        self.con.execute("COMMIT")
        self.stamps += len(rows)

    def merge(self, part: dict, job: _Job) -> None:
        """One chunk's file into the database, in C (`INSERT … SELECT`)."""
        con = self.con
        con.execute("ATTACH DATABASE ? AS chunk", (part["path"],))
        con.execute("BEGIN")
        for table, (names, _get, _rest) in (("booking", job.booking), ("receipt", job.receipt)):
            columns = ", ".join(map(_quote, names))
            con.execute(f'INSERT INTO main."{table}" ({columns}) '
                        f'SELECT {columns} FROM chunk."{table}"')
            self.stamps += con.execute("SELECT changes()").fetchone()[0]
        con.execute("COMMIT")
        con.execute("DETACH DATABASE chunk")

    def finish(self, job: _Job, latest: str, phases: dict) -> None:
        from app.models import CONTENT_STAMP

        con = self.con
        t = time.perf_counter()
        con.execute("BEGIN")
        for sql in self.again:
            con.execute(sql)
        if self.triggers:  # what the dropped triggers would have done, row by row
            con.execute("UPDATE change_stamp SET n = n + ? WHERE topic = ?",
                        (self.stamps, CONTENT_STAMP))
        # The key is published until its last document expires.
        con.execute("UPDATE signing_key SET not_after = ? WHERE kid = ? AND "
                    "(not_after IS NULL OR not_after < ?)", (latest, job.kid, latest))
        con.execute("COMMIT")
        phases["SQLite: indexes and triggers again"] = time.perf_counter() - t
        t = time.perf_counter()
        con.execute("ANALYZE")  # the planner's statistics, as a live database has them
        con.execute("PRAGMA journal_mode = WAL")
        con.close()
        phases["SQLite: ANALYZE"] = time.perf_counter() - t


class _Postgres:
    """A PostgreSQL target: the three tables' indexes, UNIQUE constraints (none that a foreign
    key needs) and foreign keys dropped for the load, made again after (which checks each
    constraint over every row once), sequences moved past the generated ids."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg
        import sqlalchemy as sa

        self.url = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self.conn = psycopg.connect(self.url)
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.indexes: list[tuple[str, str]] = []  # (name, CREATE INDEX …)
        self.constraints: list[tuple[str, str, str, str]] = []  # (type, table, name, def)

    def prepare(self) -> None:
        conn = self.conn
        tables = list(TABLES)
        self.indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%s) AND schemaname = "
            "current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE "
            "c.conname = i.indexname)", (tables,)).fetchall()
        self.constraints = conn.execute(
            "SELECT c.contype, t.relname, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
            "AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS (SELECT 1 FROM "
            "pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid))) "
            "ORDER BY c.contype DESC, c.conname", (tables,)).fetchall()  # u after f
        for name, _sql in self.indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for _kind, table, name, _definition in self.constraints:
            conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        conn.commit()  # the workers' connections load the tables next

    def write(self, table, rows: list[tuple]) -> None:
        names = ", ".join(map(_quote, (c.name for c in table.columns)))
        with self.conn.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        self.conn.commit()

    def finish(self, job: _Job, latest: str, phases: dict) -> None:
        conn = self.conn
        t = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '256MB'")
        for _kind, table, name, definition in reversed(self.constraints):  # u, then f
            conn.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _name, sql in self.indexes:
            conn.execute(sql)
        for table in TABLES:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
        conn.execute("UPDATE signing_key SET not_after = %s::timestamptz WHERE kid = %s AND "
                     "(not_after IS NULL OR not_after < %s::timestamptz)",
                     (latest, job.kid, latest))
        conn.commit()
        phases["PostgreSQL: indexes and constraints again"] = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("ANALYZE")
        conn.commit()
        conn.close()
        phases["PostgreSQL: ANALYZE"] = time.perf_counter() - t


def _target(url: str):
    return _Postgres(url) if url.startswith("postgresql") else _Sqlite(url)


def _nik(office_code: str, n: int) -> tuple[str, str, str]:
    """A NIK no other generated booking has: (nik, last 4, age band)."""
    serial = 1 + n % 9999
    rest = n // 9999
    day, month, year = 1 + rest % 28, 1 + (rest // 28) % 12, (60 + rest // 336) % 100
    if 8 <= year < 60:  # keep everyone 17 or older
        year = 60 + year
    nik = f"{office_code}{day:02d}{month:02d}{year:02d}{serial:04d}"
    band = "60+" if year < 66 else "21-59"
    return nik, f"{serial:04d}", band


def _offices(session, codes: list[str]) -> None:
    """The kabupaten's offices that are missing, with stations and hours: a few rows (ORM)."""
    from datetime import time as clock

    from app.models import Office, OpeningHours, Station

    for code in codes:
        if session.get(Office, code) is not None:
            continue
        name = SIDOARJO[int(code[4:]) - 1]
        session.add(Office(code=code, name=f"Kecamatan {name}", timezone="Asia/Jakarta",
                           address=f"Kecamatan {name}, Kabupaten Sidoarjo, Jawa Timur"))
        session.flush()
        session.add_all(Station(code=f"{code}-{s}", office_code=code, pool="station",
                                name=f"Stasiun perekaman {s}") for s in range(1, STATIONS + 1))
        session.add(Station(code=f"{code}-L1", office_code=code, pool="counter", name="Loket 1"))
        session.add_all(OpeningHours(office_code=code, weekday=d, opens=clock(8),
                                     closes=clock(16)) for d in range(5))
        session.add(OpeningHours(office_code=code, weekday=5, opens=clock(8), closes=clock(12)))
    session.flush()




def generate(settings: dict, *, also: tuple[dict, ...] = (), bookings: int = 400_000,
             offices: int = 18, days: int = 365, seed: int = 11,
             now: datetime | None = None, processes: int | None = None) -> Generated:
    """Fill the database of `settings` (DATABASE_URL, INSTANCE_PATH as the server's) and the
    same rows into each database of `also` (same INSTANCE_PATH, so the same DATA_KEY): the rows
    and tokens are made once. Each database must be fresh from `seed-demo`. `processes`: the
    worker processes (default: one per core, at most 2)."""
    global _JOB
    import sqlalchemy as sa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

    from app import create_app
    from app.adapters import signing
    from app.db import database
    from app.domain import capacity, receipts
    from app.domain.booking import RELEASED_STATUSES
    from app.models import Booking, Office, Receipt, SigningKey, Slot

    started = time.perf_counter()
    phases: dict[str, float] = {}
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    apps = [create_app(target) for target in (settings, *also)]
    app = apps[0]
    data_key = app.config["DATA_KEY"]
    codes = [f"3515{i:02d}" for i in range(1, 1 + min(offices, len(SIDOARJO)))]
    existing: set[str] = set()
    key_row = None
    next_slot = next_booking = next_receipt = 1  # past every target's ids
    for target_app in apps:
        with target_app.app_context(), database().session() as session:
            _offices(session, codes)
            if key_row is None:
                key = receipts.current_key(session, data_key, now)
                key_row = {c.name: getattr(key, c.name) for c in SigningKey.__table__.columns}
            elif session.get(SigningKey, key_row["kid"]) is None:
                session.add(SigningKey(**key_row))
            session.commit()
            existing.update(session.execute(sa.select(Booking.code)).scalars())
            tops = [(session.execute(sa.select(sa.func.max(table.id))).scalar() or 0) + 1
                    for table in (Slot, Booking, Receipt)]
            next_slot, next_booking, next_receipt = (
                max(a, b) for a, b in zip((next_slot, next_booking, next_receipt), tops,
                                          strict=True))
    kid = key_row["kid"]
    pem = signing.decrypt_private(key_row["private_sealed"], data_key, kid)
    private = load_pem_private_key(pem, password=None)
    _public, secret = crypto_sign_seed_keypair(private.private_bytes_raw())
    if crypto_sign(b"rekam", secret)[:64] != private.sign(b"rekam"):  # Ed25519 is deterministic
        raise RuntimeError("libsodium and cryptography sign differently")
    header = signing.sign({"v": 1}, kid, pem).split(".")[0]  # the app's own header segment
    phases["offices and key"] = time.perf_counter() - started

    # Slots, times from the domain: the station pool's year behind and horizon ahead (the
    # bookings go there), and the counter pool's horizon — the rows `capacity.ensure_slots`
    # makes (its `missing_times` and `slot_capacity`), as the app's job keeps them.
    t = time.perf_counter()
    slot_rows: list[list] = []
    counter_rows: list[list] = []
    zones = {}
    with app.app_context(), database().session() as session:
        for code in codes:
            office = session.get(Office, code)
            zones[code] = capacity.zone(office)
            first, last = capacity.horizon(office, now)
            for pool, rows, since in (("station", slot_rows, first - timedelta(days=days)),
                                      ("counter", counter_rows, first)):
                cap, held = capacity.slot_capacity(office, pool,
                                                   capacity.active_units(session, code, pool))
                for starts, ends in capacity.missing_times(session, office, pool, since, last):
                    rows.append([None, code, pool, starts, ends, cap, held, 0, 0])
    for row in slot_rows + counter_rows:
        row[0] = next_slot
        next_slot += 1
    phases["slot times"] = time.perf_counter() - t

    # The plan: how many bookings each slot gets and in which state, so that each slot's
    # counter is known before its bookings are made.
    t = time.perf_counter()
    open_places = sum(r[5] - r[6] for r in slot_rows)
    fill = min(0.95, bookings / max(1, open_places))
    names = [status for status, _weight in PAST]
    weights = [weight for _status, weight in PAST]
    plan, total = [], 0
    now_s = now.timestamp()
    for row in slot_rows:
        slot_id, office_code, _pool, starts, ends, cap, held = row[:7]
        places = cap - held
        take = min(places, int(places * fill + rng.random()))
        ends_s = _seconds(ends)
        statuses = (tuple(rng.choices(names, weights, k=take)) if ends_s < now_s
                    else ("booked",) * take)
        row[7] = sum(1 for s in statuses if s not in RELEASED_STATUSES)
        local_start = starts.astimezone(zones[office_code]).isoformat(timespec="seconds")
        plan.append((slot_id, office_code, _seconds(starts), ends_s, local_start, statuses))
        total += take
    if slot_rows and _stamp(plan[0][2]) != _sqlite_time(slot_rows[0][3]):
        raise RuntimeError("_stamp does not write what SQLAlchemy writes")
    for row in slot_rows + counter_rows:
        row[3], row[4] = _stamp(_seconds(row[3])), _stamp(_seconds(row[4]))
    processes = max(1, processes or min(2, os.cpu_count() or 1))
    parts = max(1, min(2 * processes, total // 1000 or 1))  # chunks: load balance, not too many
    chunks, first, n = [], 0, 0
    for part in range(1, parts + 1):
        goal, end, count = total * part // parts, first, n
        while end < len(plan) and (count < goal or part == parts):
            count += len(plan[end][5])
            end += 1
        chunks.append((first, end, n))
        first, n = end, count
    phases["plan"] = time.perf_counter() - t

    for target_app in apps:  # no connection of the app's open during the load
        target_app.extensions["rekam_db"].dispose()
    urls = [target_app.config["DATABASE_URL"] for target_app in apps]
    targets = [_target(url) for url in urls]
    folder = None
    if any(target.dialect == "sqlite" for target in targets):
        sqlite_path = next(target.path for target in targets if target.dialect == "sqlite")
        folder = tempfile.mkdtemp(prefix="rekam-bench-scale-",
                                  dir=os.path.dirname(os.path.abspath(sqlite_path)))
    try:
        t = time.perf_counter()
        for target in targets:
            target.prepare()
        phases["indexes, constraints, triggers dropped"] = time.perf_counter() - t
        scramble = random.Random(seed + 1)
        job = _JOB = _Job(plan=plan, chunks=chunks, first_booking=next_booking,
                    first_receipt=next_receipt, existing=frozenset(existing),
                    scramble=(scramble.getrandbits(40) | 1, scramble.getrandbits(40)),
                    header=header, kid=kid, secret=secret,
                    nik_key=data_key.encode(), grace=int(receipts.BOOKING_GRACE.total_seconds()),
                    version=receipts.FORMAT_VERSION,
                    booking=_layout(Booking.__table__, BOOKING_FIELDS),
                    receipt=_layout(Receipt.__table__, RECEIPT_FIELDS), folder=folder,
                    postgres=[target.url for target in targets if target.dialect == "postgresql"])
        slot_layout = _layout(Slot.__table__, SLOT_FIELDS)
        slots = [slot_layout[1](tuple(row) + slot_layout[2]) for row in slot_rows + counter_rows]
        t = time.perf_counter()
        context = multiprocessing.get_context("fork")
        made: list[dict] = []
        with context.Pool(min(processes, parts)) as pool:
            pending = pool.imap(_fill, range(len(chunks)))
            step = time.perf_counter()
            for target in targets:  # meanwhile the slots, by the parent
                target.write(Slot.__table__, slots)
            phases["slots written (meanwhile)"] = time.perf_counter() - step
            merging = 0.0
            for part in pending:  # each chunk's file into SQLite as soon as it is made
                made.append(part)
                step = time.perf_counter()
                for target in targets:
                    if target.dialect == "sqlite":
                        target.merge(part, job)
                if part["path"]:
                    os.remove(part["path"])
                merging += time.perf_counter() - step
            phases["SQLite: chunk files merged (meanwhile)"] = merging
        phases[f"bookings, receipts and tokens made and loaded ({min(processes, parts)} "
               "processes)"] = time.perf_counter() - t
        for part in made:
            for name, seconds in part["seconds"].items():
                key = f"{name} (CPU, all workers)"
                phases[key] = phases.get(key, 0) + seconds
        _JOB = None
        latest = _stamp(max((part["latest"] for part in made), default=0))

        # Indexes, constraints and triggers again: PostgreSQL's in a thread (its server does
        # the work) while this one has SQLite make its own.
        t = time.perf_counter()
        errors: list[BaseException] = []

        def finish(target) -> None:
            try:
                target.finish(job, latest, phases)
            except BaseException as error:  # re-raised below
                errors.append(error)

        threads = []
        for target in targets:
            if target.dialect == "postgresql":
                threads.append(threading.Thread(target=finish, args=(target,)))
                threads[-1].start()
        for target in targets:
            if target.dialect == "sqlite":
                finish(target)
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        phases["indexes again, ANALYZE (both at once)"] = time.perf_counter() - t
    finally:
        _JOB = None
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    sample = next((part["sample"] for part in made if part["sample"]), "")
    past = next((part["past"] for part in made if part["past"]), "")
    count = sum(part["bookings"] for part in made)
    return Generated(len(codes), len(slot_rows), count, count, time.perf_counter() - started,
                     phases, sample, past, min(processes, parts))


def main(argv: list[str]) -> int:
    """Time the generator alone: a fresh instance folder, `seed-demo` into SQLite (and a
    throwaway PostgreSQL with --postgres), generate, `booking-check`, everything removed."""
    import contextlib
    import subprocess

    from app import create_app
    from app.db import database
    from app.domain.demo import seed_demo
    from app.migrate import upgrade
    from tests.bench import services

    count = next((int(a.replace("_", "")) for a in argv[1:] if a.replace("_", "").isdigit()),
                 400_000)
    with tempfile.TemporaryDirectory(prefix="rekam-bench-scale-") as folder, \
            contextlib.ExitStack() as stack:
        settings = {"INSTANCE_PATH": folder, "RATE_LIMITS": "off",
                    "BASE_URL": "http://127.0.0.1:5000",
                    "DATABASE_URL": f"sqlite:///{folder}/rekam.sqlite3"}
        targets = [settings]
        if "--postgres" in argv:
            pg = stack.enter_context(services.postgres())
            targets.append(dict(settings, DATABASE_URL=pg.url("rekam_scale")))
        for target in targets:
            upgrade(target["DATABASE_URL"])
            app = create_app(target)
            with app.app_context(), database().session() as session:
                seed_demo(session)
                session.commit()
            app.extensions["rekam_db"].dispose()
        made = generate(settings, also=tuple(targets[1:]), bookings=count)
        print(f"{made.bookings:,} bookings, {made.slots:,} slots in {made.seconds:.1f} s "
              f"({made.processes} processes; load average {os.getloadavg()[0]:.1f}):")
        for name, seconds in made.phases.items():
            print(f"  {name}: {seconds:.1f} s")
        for target in targets:
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi",
                                   "booking-check"], env=dict(os.environ, **target),
                                  capture_output=True, text=True, check=False)
            last = (done.stdout + done.stderr).strip().splitlines()[-1:]
            print(f"booking-check ({target['DATABASE_URL'].split(':')[0]}): exit "
                  f"{done.returncode}, {last[0] if last else ''} ({time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
