"""Nothing in the database rebuilds a NIK (DESIGN §9, issue 9.1).

Region code (the office) + birth date (day + 40 for women) + last 4 digits *are* the NIK, so a
booking keeps the keyed hash, the last 4 digits and what the rules decided (priority, age band),
never the birth date or sex. These tests book with known NIKs through the real web flow and the
API into a database of their own, commit, and then look for the NIK and its birth date in every
column of every table and in the raw SQLite files (main file, -wal, -shm).
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.db import database
from app.domain import accounts
from app.domain.demo import seed_demo
from app.migrate import upgrade
from tests.support.databases import fresh_database
from tests.support.pages import fetch
from tests.test_booking_web import _to_details, book_through_the_pages

pytestmark = pytest.mark.db

# A woman born 14 May 1998 (day 14 + 40) and a man born 3 February 1961 (60+: priority).
WOMAN, WOMAN_BORN = "3515045405980007", date(1998, 5, 14)
MAN, MAN_BORN = "3515040302610011", date(1961, 2, 3)


def birth_date_forms(nik: str, born: date) -> list[str]:
    """Every common way the birth date a NIK encodes could have been written down."""
    return [nik, nik[6:12], born.strftime("%d%m%y"), born.isoformat(),
            born.strftime("%d-%m-%Y"), born.strftime("%d/%m/%Y"), born.strftime("%Y%m%d"),
            born.strftime("%d%m%Y"), born.strftime("%Y/%m/%d"),
            datetime.combine(born, datetime.min.time()).isoformat()]


def _pattern(forms: list[str]) -> re.Pattern[bytes]:
    # Not right after a dot: microseconds of a timestamp are six random digits too.
    return re.compile(b"|".join(b"(?<!\\.)" + re.escape(f.encode()) for f in forms))


FORBIDDEN = _pattern(birth_date_forms(WOMAN, WOMAN_BORN) + birth_date_forms(MAN, MAN_BORN))


def _settings(url: str, instance: Path) -> dict:
    return {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "TESTING": True,
            "WTF_CSRF_ENABLED": False, "RATE_LIMITS": "off", "BASE_URL": "http://rekam.test",
            "SECRET_KEY": "privacy-secret", "DATA_KEY": "privacy-data-key"}


@pytest.fixture
def booked(worker_name, tmp_path):
    """A database of its own where both NIKs booked: the woman on the web, the man by API."""
    url = fresh_database(f"{worker_name}_privacy", tmp_path)
    upgrade(url)
    app = create_app(_settings(url, tmp_path))
    with app.app_context(), database().session() as session:
        seed_demo(session)
        _token, secret = accounts.mint_token(session, "kiosk", "351504")
        session.commit()
    client = app.test_client()
    done = book_through_the_pages(client, fetch, nik=WOMAN)
    assert done.h1 == "Jadwal Anda sudah dipesan"
    headers = {"Authorization": f"Bearer {secret}"}
    start = (date.today() + timedelta(days=2)).isoformat()
    slots = client.get(f"/api/v1/offices/351504/slots?from={start}").json
    answer = client.post("/api/v1/bookings", headers=headers, json={
        "nik": MAN, "name": "Budi Santoso", "desa_code": "3515041003", "service": "pemula",
        "slot_id": next(s["id"] for s in slots if s["remaining"] > 0), "phone": "081234567891"})
    assert answer.status_code == 201, answer.json
    # A second, refused try and a wrong check-in leave audit and error paths behind too.
    again = client.post("/api/v1/bookings", headers=headers, json={
        "nik": MAN, "name": "Budi Santoso", "service": "pemula",
        "slot_id": slots[-1]["id"]})
    assert again.status_code == 409
    app.extensions["rekam_db"].dispose()
    yield url, answer.json
    create_engine(url).dispose()


def _rows(url: str):
    """(table, column, value) for every value of every table."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                result = connection.execute(text(f'SELECT * FROM "{table}"'))
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row, strict=True):
                        yield table, column, value
    finally:
        engine.dispose()


def _as_bytes(value) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8", "replace")


def test_no_column_of_any_table_holds_a_nik_or_its_birth_date(booked):
    url, _booking = booked
    found = [(table, column) for table, column, value in _rows(url)
             if value is not None and FORBIDDEN.search(_as_bytes(value))]
    assert found == []


def test_the_nik_cannot_be_rebuilt_from_region_dates_and_last_digits(booked):
    """The attack itself: every date-like value anywhere, combined with each booking's region
    (its office) and last 4 digits, for both sexes — none of it gives back a NIK."""
    url, _booking = booked
    rows = list(_rows(url))
    engine = create_engine(url)
    with engine.connect() as connection:
        bookings = connection.execute(text("SELECT office_code, nik_last4 FROM booking")).all()
    engine.dispose()
    assert {last4 for _office, last4 in bookings} == {"0007", "0011"}
    dates = set()
    for _table, _column, value in rows:
        if isinstance(value, datetime):
            dates.add(value.date())
        elif isinstance(value, date):
            dates.add(value)
        elif isinstance(value, str):
            for match in re.finditer(r"(\d{4})-(\d{2})-(\d{2})", value):
                with contextlib.suppress(ValueError):  # 2026-13-45 is not a date
                    dates.add(date(*map(int, match.groups())))
    candidates = {f"{office}{day.day + offset:02d}{day:%m%y}{last4}"
                  for office, last4 in bookings for day in dates for offset in (0, 40)}
    assert dates and not {WOMAN, MAN} & candidates


def test_the_raw_database_files_hold_no_nik_or_birth_date(booked):
    url, _booking = booked
    if not url.startswith("sqlite"):
        pytest.skip("the raw-file check reads SQLite's files (PostgreSQL: the column scan)")
    path = Path(make_url(url).database)
    files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    assert path in files
    found = {p.name: m.group() for p in files if (m := FORBIDDEN.search(p.read_bytes()))}
    assert found == {}


def test_the_booking_draft_keeps_only_what_the_rules_decided(worker_name, tmp_path):
    """Between the details step and the confirm, the server-side draft holds the hash, the last
    4 digits, the age band and whether the person may record — not the birth date or sex."""
    url = fresh_database(f"{worker_name}_privacy_draft", tmp_path)
    upgrade(url)
    app = create_app(_settings(url, tmp_path))
    with app.app_context(), database().session() as session:
        seed_demo(session)
        session.commit()
    client = app.test_client()
    _to_details(client, fetch)
    answer = client.post("/booking/data", data={"nik": WOMAN, "name": "Siti Aminah",
                                                 "desa": "3515041003"})
    assert answer.status_code == 303
    app.extensions["rekam_db"].dispose()
    payloads = [value for table, column, value in _rows(url)
                if table == "form_draft" and column == "payload"]
    draft = json.loads(next(p for p in payloads if "nik_hash" in p))
    assert set(draft) >= {"nik_hash", "nik_last4", "age_band", "may_record"}
    assert (draft["nik_last4"], draft["age_band"], draft["may_record"]) == ("0007", "21-59", True)
    assert not {"birth_date", "sex", "ever_married"} & set(draft)
    assert not FORBIDDEN.search(json.dumps(draft).encode())


# --- the migration ------------------------------------------------------------------------------


def test_the_migration_keeps_an_age_band_and_forgets_birth_date_and_sex(worker_name, tmp_path):
    """Rows booked before 0005 get their age band (in their office's zone, on the day of the
    migration); the birth date and sex are gone from the table and from the files; a booking
    draft in flight, which carried them too, is discarded. Downgrade brings the columns back
    empty."""
    from app.migrate import downgrade

    url = fresh_database(f"{worker_name}_privacy_migration", tmp_path)
    upgrade(url, "0004_receipts")
    engine = create_engine(url)
    with engine.begin() as connection:  # the office as 0004 knew it (the models are newer)
        connection.execute(text(
            "INSERT INTO office (code, name, timezone, address, slot_minutes, "
            "recording_minutes, counter_minutes, held_back_percent, hold_release_hours, "
            "booking_horizon_days, no_show_grace_minutes, is_demo) VALUES ('351504', 'Porong', "
            "'Asia/Jakarta', 'Jl. Raya Porong', 30, 10, 15, 30, 2, 30, 30, true)"))
    starts = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    with engine.begin() as connection:
        slot_id = connection.execute(text(
            "INSERT INTO slot (office_code, pool, starts_at, ends_at, capacity, held_back, "
            "booked, booked_priority) VALUES ('351504', 'station', :s, :e, 6, 2, 2, 1) "
            "RETURNING id"), {"s": starts, "e": starts + timedelta(minutes=30)}).scalar_one()
        for code, last4, born, sex, priority in (("AAAA1111", "0007", WOMAN_BORN, "F", False),
                                                 ("BBBB2222", "0011", MAN_BORN, "M", True)):
            connection.execute(text(
                "INSERT INTO booking (code, office_code, slot_id, service, status, nik_hash, "
                "nik_last4, birth_date, sex, name, needs, priority, held_share, channel, "
                "created_by, created_at) VALUES (:code, '351504', :slot, 'pemula', 'booked', "
                ":hash, :last4, :born, :sex, 'Siti', '[]', :priority, :priority, 'web', "
                "'citizen', :now)"),
                {"code": code, "slot": slot_id, "hash": code * 8, "last4": last4, "born": born,
                 "sex": sex, "priority": priority, "now": datetime.now(UTC)})
        connection.execute(text(
            "INSERT INTO form_draft (id, kind, payload, created_at, expires_at) VALUES "
            "('d1', 'booking', :p, :now, :later)"),
            {"p": f'{{"birth_date": "{WOMAN_BORN.isoformat()}", "sex": "F"}}',
             "now": datetime.now(UTC), "later": datetime.now(UTC) + timedelta(minutes=30)})
    engine.dispose()

    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("booking")}
        bands = dict(connection.execute(text("SELECT code, age_band FROM booking")).all())
        drafts = connection.execute(text("SELECT count(*) FROM form_draft")).scalar_one()
    engine.dispose()
    assert not {"birth_date", "sex"} & columns
    assert bands == {"AAAA1111": "21-59", "BBBB2222": "60+"}
    assert drafts == 0
    if url.startswith("sqlite"):  # freed pages zeroed (secure_delete), the WAL emptied
        path = Path(make_url(url).database)
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                assert not FORBIDDEN.search(file.read_bytes()), file.name

    downgrade(url, "0004_receipts")
    engine = create_engine(url)
    with engine.connect() as connection:
        restored = connection.execute(text(
            "SELECT code, birth_date, sex FROM booking ORDER BY code")).all()
    engine.dispose()
    assert [tuple(r) for r in restored] == [("AAAA1111", None, None), ("BBBB2222", None, None)]
    upgrade(url)
