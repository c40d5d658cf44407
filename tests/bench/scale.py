"""A kabupaten-sized database for `make bench ARGS=--scale` (issue 11, "How cost grows").

`generate(settings)` fills a database that `seed-demo` made (schema, Porong, Panakkukang) with
the rest of Kabupaten Sidoarjo's 18 kecamatan offices (Porong is one), a year of slots behind
today and the booking horizon ahead, about 400,000 bookings and one booking receipt per booking
as a signed token only (no PDF: DESIGN §4 renders on first download, and the generator must be
fast). Past bookings carry the states a year leaves (collected, card ready, recorded, no-show,
cancelled); future ones are `booked`. Every slot's counters equal a recount of its bookings
(`booking-check` finds no drift), and each token verifies against the published key.

Fast because it does not go through the domain function per row: ids are assigned here, rows
are written in bulk (SQLite: one `executemany` per table in one transaction; PostgreSQL:
`COPY … FROM STDIN`), and tokens are signed with the key's raw Ed25519 private key over the
same JWS compact form `app.adapters.signing.sign` produces (its header segment is taken from
one token it signs). The slot times come from the domain's `capacity.planned_times`, so they are
the ones the app itself would make.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SIDOARJO = [  # Kemendagri 2025 (app/data/wilayah-2025-kecamatan.csv), 35.15.01 … 35.15.18
    "Tarik", "Prambon", "Krembung", "Porong", "Jabon", "Tanggulangin", "Candi", "Sidoarjo",
    "Tulangan", "Wonoayu", "Krian", "Balongbendo", "Taman", "Sukodono", "Buduran", "Gedangan",
    "Sedati", "Waru",
]
STATIONS = 3  # each new office: 3 recording stations, 1 counter (Porong keeps its demo 2 + 2)
PAST = (("collected", 70), ("card_ready", 8), ("recorded", 5), ("no_show", 10),
        ("cancelled", 7))
SERVICES = ("pemula", "pemula", "pemula", "rusak", "hilang", "perubahan")


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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sqlite_time(value: datetime) -> str:
    # What SQLAlchemy's SQLite DATETIME stores (naive UTC, microseconds always written): the
    # app compares these as strings, so the format must be exactly this.
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Writer:
    """Bulk rows into one table per call, through the raw DB-API connection."""

    def __init__(self, engine) -> None:
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()

    def stamp(self, value: datetime) -> str:
        return _sqlite_time(value) if self.dialect == "sqlite" else value.isoformat()

    def write(self, table, rows: list[dict]) -> None:
        import sqlalchemy as sa

        if not rows:
            return
        names = [c.name for c in table.columns]
        defaults = {c.name: c.default.arg for c in table.columns
                    if c.default is not None and getattr(c.default, "is_scalar", False)}
        tuples = [list(map({**defaults, **r}.get, names)) for r in rows]
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            quoted = ", ".join(f'"{n}"' for n in names)
            with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in tuples:
                    copy.write_row(row)
        else:
            # SQLite keeps times as text and booleans as integers: convert those columns only.
            times = [i for i, c in enumerate(table.columns)
                     if isinstance(c.type, sa.types.TypeDecorator)
                     and isinstance(c.type.impl, sa.DateTime) or isinstance(c.type, sa.DateTime)]
            for row in tuples:
                for i in times:
                    if row[i] is not None:
                        row[i] = _sqlite_time(row[i])
            marks = ", ".join("?" for _ in names)
            cursor.executemany(f'INSERT INTO "{table.name}" ({", ".join(names)}) '
                               f"VALUES ({marks})", tuples)
        cursor.close()

    def drop_indexes(self, tables: tuple[str, ...]) -> list[str]:
        """Drop the tables' own indexes (to be made again after the load: one sort is
        far cheaper than 400,000 random B-tree inserts each), with a large page cache for the
        UNIQUE ones that belong to the table. Returns the statements that make them again."""
        cursor = self.raw.cursor()
        if self.dialect == "postgresql":
            # The indexes that are not a constraint's (those stay: dropping them would mean
            # dropping the constraint), made again in the same transaction after the COPY.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%s) "
                           "AND schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM "
                           "pg_constraint c WHERE c.conname = i.indexname)", (list(tables),))
            found = cursor.fetchall()
            for name, _sql in found:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.close()
            return [sql for _name, sql in found]
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB, for this connection only
        cursor.execute("PRAGMA synchronous = OFF")
        # No WAL for the load (it would write every page twice); WAL again after (restore_wal).
        self.raw.commit()
        cursor.execute("PRAGMA journal_mode = OFF")
        marks = ", ".join("?" for _ in tables)
        found = cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                               f"sql IS NOT NULL AND tbl_name IN ({marks})", tables).fetchall()
        for name, _sql in found:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.close()
        return [sql for _name, sql in found]

    def restore_wal(self) -> None:
        if self.dialect == "sqlite":
            self.raw.commit()
            self.execute("PRAGMA journal_mode = WAL")

    def execute(self, sql: str) -> None:
        cursor = self.raw.cursor()
        cursor.execute(sql)
        cursor.close()

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        self.raw.close()


def _past_status(pick: int) -> str:
    for status, weight in PAST:
        if pick < weight:
            return status
        pick -= weight
    return PAST[-1][0]


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


_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def generate(settings: dict, *, also: tuple[dict, ...] = (), bookings: int = 400_000,
             offices: int = 18, days: int = 365, seed: int = 11,
             now: datetime | None = None) -> Generated:
    """Fill the database of `settings` (DATABASE_URL, INSTANCE_PATH as the server's) and the
    same rows into each database of `also` (same INSTANCE_PATH, so the same DATA_KEY): the rows
    and tokens are made once. Each database must be fresh from `seed-demo`."""
    import sqlalchemy as sa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from app import create_app
    from app.adapters import signing
    from app.db import database
    from app.domain import capacity, receipts
    from app.models import Booking, Office, Receipt, SigningKey, Slot

    started = time.perf_counter()
    phases: dict[str, float] = {}
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    apps = [create_app(target) for target in (settings, *also)]
    app = apps[0]
    data_key = app.config["DATA_KEY"]
    nik_key = data_key.encode()
    codes = [f"3515{i:02d}" for i in range(1, 1 + min(offices, len(SIDOARJO)))]
    with app.app_context(), database().session() as session:
        _offices(session, codes)
        key = receipts.current_key(session, data_key, now)
        session.commit()
        kid = key.kid
        key_row = {c.name: getattr(key, c.name) for c in SigningKey.__table__.columns}
        pem = signing.decrypt_private(key.private_sealed, data_key, kid)
        private = load_pem_private_key(pem, password=None)
        header = signing.sign({"v": 1}, kid, pem).split(".")[0]  # the app's own header segment

        # Slots: the year behind and the horizon ahead, times from the domain.
        t = time.perf_counter()
        next_slot = (session.execute(sa.select(sa.func.max(Slot.id))).scalar() or 0) + 1
        slot_rows = []
        zones = {}
        for code in codes:
            office = session.get(Office, code)
            zones[code] = capacity.zone(office)
            today = capacity.local_today(office, now)
            first, last = today - timedelta(days=days), capacity.horizon(office, now)[1]
            cap, held = capacity.slot_capacity(office, "station",
                                               capacity.active_units(session, code, "station"))
            for starts, ends in capacity.missing_times(session, office, "station", first, last):
                slot_rows.append({"id": next_slot, "office_code": code, "pool": "station",
                                  "starts_at": starts, "ends_at": ends, "capacity": cap,
                                  "held_back": held, "booked": 0, "booked_priority": 0})
                next_slot += 1
        phases["slot times"] = time.perf_counter() - t
        next_booking = (session.execute(sa.select(sa.func.max(Booking.id))).scalar() or 0) + 1
        next_receipt = (session.execute(sa.select(sa.func.max(Receipt.id))).scalar() or 0) + 1
        seen_codes: set[str] = set(session.execute(sa.select(Booking.code)).scalars())
    for other in apps[1:]:
        with other.app_context(), database().session() as session:
            _offices(session, codes)
            if session.get(SigningKey, kid) is None:
                session.add(SigningKey(**key_row))
            session.commit()

    # Bookings and receipts: the open share of each slot, filled to reach `bookings`.
    t = time.perf_counter()
    open_places = sum(r["capacity"] - r["held_back"] for r in slot_rows)
    fill = min(0.95, bookings / max(1, open_places))
    booking_rows, receipt_rows = [], []
    n = 0
    sample_token = past_token = ""
    grace, version = receipts.BOOKING_GRACE, receipts.FORMAT_VERSION
    sign, sha256, dumps = private.sign, hashlib.sha256, json.dumps
    for slot in slot_rows:
        places = slot["capacity"] - slot["held_back"]
        take = min(places, int(places * fill + rng.random()))
        past = slot["ends_at"] < now
        office_code, starts = slot["office_code"], slot["starts_at"]
        local_start = starts.astimezone(zones[office_code]).isoformat(timespec="seconds")
        expires = (slot["ends_at"] + grace).replace(microsecond=0)
        holding = 0
        for _ in range(take):
            status = _past_status(rng.randrange(100)) if past else "booked"
            code = base64.b32encode(rng.randbytes(5)).decode().translate(_CROCKFORD)
            while code in seen_codes:
                code = base64.b32encode(rng.randbytes(5)).decode().translate(_CROCKFORD)
            seen_codes.add(code)
            nik, last4, band = _nik(office_code, n)
            created = (starts - timedelta(days=1 + n % 20, minutes=n % 600)).replace(microsecond=0)
            service = SERVICES[n % len(SERVICES)]
            name = f"Warga Sidoarjo {n}"
            row = {"id": next_booking, "code": code, "office_code": office_code,
                   "slot_id": slot["id"], "service": service, "status": status,
                   "nik_hash": hmac.new(nik_key, nik.encode(), hashlib.sha256).hexdigest(),
                   "nik_last4": last4, "age_band": band, "name": name, "phone": None,
                   "desa_code": None, "needs": "[]", "priority": band == "60+",
                   "held_share": False, "channel": "web" if n % 3 else "desa_staff",
                   "consent": None if n % 3 else "present", "created_by": "citizen",
                   "created_at": created}
            if status in ("collected", "card_ready", "recorded"):
                row["checked_in_at"] = starts
                row["in_capture_at"] = starts + timedelta(minutes=3)
                row["recorded_at"] = starts + timedelta(minutes=9)
                if status != "recorded":
                    row["card_ready_at"] = starts + timedelta(days=14)
                if status == "collected":
                    row["collected_at"] = starts + timedelta(days=16)
            elif status == "no_show":
                row["no_show_at"] = starts + timedelta(minutes=30)
            if status == "cancelled":
                row["cancelled_at"] = created + timedelta(hours=5)
            else:
                holding += 1
            booking_rows.append(row)
            claims = {"v": version, "d": "booking", "b": code, "o": office_code,
                      "s": local_start, "n": receipts.printed_name(name), "k": last4,
                      "t": service, "iat": int(created.timestamp()),
                      "exp": int(expires.timestamp())}
            body = header + "." + _b64(dumps(claims, separators=(",", ":"),
                                            ensure_ascii=False).encode())
            token = body + "." + _b64(sign(body.encode()))
            receipt_rows.append({"id": next_receipt, "booking_id": next_booking,
                                 "kind": "booking", "token": token,
                                 "token_sha256": sha256(token.encode()).hexdigest(),
                                 "kid": kid, "issued_at": created, "expires_at": expires})
            if not past and not sample_token:
                sample_token = token
            if status == "collected" and not past_token:
                past_token = token
            next_booking += 1
            next_receipt += 1
            n += 1
        slot["booked"] = holding
    phases["rows and tokens"] = time.perf_counter() - t
    last_expiry = max((r["expires_at"] for r in receipt_rows), default=None)
    # In token order, the UNIQUE index on the token (part of the table) grows at its end.
    receipt_rows.sort(key=lambda r: r["token"])

    # Write it all, one transaction per database (the app's own connections closed first).
    for target_app in apps:
        target_app.extensions["rekam_db"].dispose()
    for target_app in apps:
        t = time.perf_counter()
        engine = sa.create_engine(target_app.config["DATABASE_URL"])
        writer = _Writer(engine)
        try:
            again = writer.drop_indexes(("slot", "booking", "receipt"))
            for table, rows in ((Slot, slot_rows), (Booking, booking_rows),
                                (Receipt, receipt_rows)):
                step = time.perf_counter()
                writer.write(table.__table__, rows)
                phases[f"write {table.__tablename__} ({writer.dialect})"] = \
                    time.perf_counter() - step
            step = time.perf_counter()
            for sql in again:
                writer.execute(sql)
            phases[f"indexes again ({writer.dialect})"] = time.perf_counter() - step
            if last_expiry is not None:  # the key is published until its last document expires
                literal = f"'{writer.stamp(last_expiry)}'"
                writer.execute(f"UPDATE signing_key SET not_after = {literal} WHERE kid = "
                               f"'{kid}' AND (not_after IS NULL OR not_after < {literal})")
            if writer.dialect == "postgresql":
                for table in ("slot", "booking", "receipt"):
                    writer.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))")
            writer.commit()
            writer.execute("ANALYZE")  # the planner's statistics, as a live database has them
            writer.commit()
            writer.restore_wal()
        finally:
            writer.close()
            engine.dispose()
        phases[f"bulk write ({writer.dialect})"] = time.perf_counter() - t

        # The rest of the horizon (the counter pool) the app makes itself, as its job does.
        with target_app.app_context(), database().session() as session:
            for code in codes:
                office = session.get(Office, code)
                for pool in ("station", "counter"):
                    capacity.ensure_slots(session, office, pool, now)
            session.commit()
        target_app.extensions["rekam_db"].dispose()
    return Generated(len(codes), len(slot_rows), len(booking_rows), len(receipt_rows),
                     time.perf_counter() - started, phases, sample_token, past_token)
