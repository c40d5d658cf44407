"""A small factory for receipt tests: a slot and a booking made directly through the models."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from app.domain.nik import nik_hash
from app.models import Booking, Slot

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NIK = "3515041203070003"
DATA_KEY = "test-data-key"  # tests/conftest.py's DATA_KEY


def today_at(hour: int, tz: str = "Asia/Jakarta") -> datetime:
    """Today (the machine's date, in the office's zone) at this local hour, in UTC."""
    local = datetime.now(ZoneInfo(tz)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


def random_nik() -> str:
    """A valid-looking NIK of Porong that no other test booking holds (one active per NIK)."""
    day, month, yy = secrets.randbelow(28) + 1, secrets.randbelow(12) + 1, secrets.randbelow(8)
    return f"351504{day:02d}{month:02d}{yy:02d}{secrets.randbelow(9000) + 1000:04d}"


def new_code() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(8))


def make_slot(session, starts_at: datetime, office_code: str = "351504",
              minutes: int = 30) -> Slot:
    existing = session.exec(select(Slot).where(Slot.office_code == office_code,
                                               Slot.pool == "station",
                                               Slot.starts_at == starts_at)).first()
    if existing is not None:
        return existing
    slot = Slot(office_code=office_code, pool="station", starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes), capacity=6, held_back=2)
    session.add(slot)
    session.flush()
    return slot


def make_booking(session, *, starts_at: datetime | None = None, office_code: str = "351504",
                 nik: str = NIK, name: str = "Budi Santoso", status: str = "booked",
                 service: str = "pemula", code: str | None = None,
                 data_key: str = DATA_KEY) -> Booking:
    """A booking of `nik` (hashed as the app does), by default tomorrow 09:00 WIB."""
    starts_at = starts_at or datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    slot = make_slot(session, starts_at, office_code)
    slot.booked += 1  # as the booking engine counts places
    session.add(slot)
    booking = Booking(code=code or new_code(), office_code=office_code, slot_id=slot.id,
                      service=service, status=status, nik_hash=nik_hash(nik, data_key.encode()),
                      nik_last4=nik[-4:], age_band="17-20", name=name)
    session.add(booking)
    session.flush()
    return booking


def issue_in_live_database(server_env: dict, states: dict[str, dict]) -> dict[str, str]:
    """Receipts in the live server's own database (browser tests), one per named state:
    {"valid": {}, "cancelled": {"status": "cancelled"}, "superseded": {"reissue": True},
    "expired": {"days_ago": 60}} → {name: token} (`"nik": …` books that NIK). Uses the server's instance folder, so the
    same DATA_KEY signs them."""
    from app import create_app
    from app.db import database
    from app.domain import receipts

    app = create_app({"INSTANCE_PATH": server_env["INSTANCE_PATH"],
                      "DATABASE_URL": server_env["DATABASE_URL"]})
    tokens = {}
    with app.app_context(), database().session(write=True) as session:
        now = datetime.now(UTC).replace(microsecond=0)
        for name, spec in states.items():
            days_ago = spec.get("days_ago", 0)
            if days_ago:
                starts = today_at(8) - timedelta(days=days_ago)
            elif spec.get("today"):
                starts = today_at(8)
            else:
                starts = today_at(8) + timedelta(days=1)
            nik = spec.get("nik") or random_nik()
            booking = make_booking(session, starts_at=starts, nik=nik,
                                   name=spec.get("name", "Siti Aminah"),
                                   status=spec.get("status", "booked"),
                                   data_key=app.config["DATA_KEY"])
            when = now - timedelta(days=days_ago + 1) if days_ago else now
            receipt = receipts.issue_receipt(session, booking, spec.get("kind", "booking"),
                                             data_key=app.config["DATA_KEY"], now=when)
            if spec.get("reissue"):
                receipts.issue_receipt(session, booking, data_key=app.config["DATA_KEY"],
                                       now=when + timedelta(minutes=1))
            for field, value in spec.get("set", {}).items():
                setattr(booking, field, value)
            session.add(booking)
            tokens[name] = receipt.token
        session.commit()
    app.extensions["rekam_db"].dispose()
    return tokens
