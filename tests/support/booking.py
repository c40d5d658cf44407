"""Small factories for booking tests (STYLE §13): NIKs, slots and bookings in a few words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.domain import booking as bookings
from app.domain import capacity
from app.domain.nik import parse_nik
from app.models import Office, Slot

DATA_KEY = b"test-data-key"  # tests/conftest.py's DATA_KEY
# Monday 23 November 2026, 07:00 in Porong: before opening, the day the demo starts.
MONDAY_MORNING = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def nik(serial: int, born: str = "120307", region: str = "351504") -> str:
    """A valid NIK: region, DDMMYY (day + 40 for women), a serial 1…9999."""
    return f"{region}{born}{serial:04d}"


def elderly_nik(serial: int) -> str:
    return nik(serial, born="010150")


def applicant(number: str, name: str = "Siti", needs=(), phone=None,
              desa_code="3515041003", today: date = date(2026, 11, 23),
              ever_married: bool = False) -> bookings.Applicant:
    info = parse_nik(number, today)
    return bookings.Applicant.from_nik(number, info, DATA_KEY, today=today,
                                       ever_married=ever_married, name=name, phone=phone,
                                       desa_code=desa_code, needs=tuple(needs))


def office(session: Session, code: str = "351504") -> Office:
    return session.get(Office, code)


def slot_at(session: Session, office_code: str, day: date, at: time,
            pool: str = "station", now: datetime = MONDAY_MORNING) -> Slot:
    """The slot starting at a local day and time (the horizon's slots are created first)."""
    the_office = office(session, office_code)
    capacity.ensure_slots(session, the_office, pool, now)
    start = datetime.combine(day, at, tzinfo=ZoneInfo(the_office.timezone)).astimezone(UTC)
    return session.exec(select(Slot).where(Slot.office_code == office_code, Slot.pool == pool,
                                           Slot.starts_at == start)).one()


def book(session: Session, slot: Slot, number: str, *, service: str = "pemula",
         channel: str = "web", now: datetime = MONDAY_MORNING, **stated):
    return bookings.create_booking(
        session, office=office(session, slot.office_code), slot_id=slot.id, service=service,
        applicant=applicant(number, **stated), channel=channel, actor="citizen", now=now)


def tuesday(weeks: int = 0) -> date:
    return date(2026, 11, 24) + timedelta(weeks=weeks)
