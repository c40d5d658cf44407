"""Check-in: the person with a booking has arrived at the office (DESIGN §1, §6).

One function for every door — the officer's scanner page, the kiosk and the API; the lobby
queue will call it too. It is a single conditional UPDATE, so two scans of the same receipt at
two counters check the person in once.
"""

from __future__ import annotations

import hmac
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Booking, Office, Slot, utcnow
from . import audit
from .nik import NikError, nik_hash


class CheckInError(Exception):
    """`code`: not_today (the slot is on another day in the office's zone), wrong_state, or
    nik_mismatch (the NIK typed from the KK is not the booking holder's)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def local_day_bounds(office: Office, now: datetime) -> tuple[datetime, datetime]:
    """Today in the office's zone, as a UTC half-open interval."""
    tz = ZoneInfo(office.timezone)
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tz)


def check_in(session: Session, booking: Booking, actor: str, nik: str,
             now: datetime | None = None, *, data_key: str) -> Booking:
    """`booked` → `checked_in`, only on the slot's own day in the office's zone, and only with
    the holder's full NIK (typed from the KK, compared by keyed hash): a receipt alone checks
    nobody in (DESIGN §6). (Issue 13's minimal version; the lobby's issue 12 owns this.)"""
    now = now or utcnow()
    try:
        matches = hmac.compare_digest(nik_hash(nik, data_key.encode()), booking.nik_hash)
    except NikError:
        matches = False
    if not matches:
        raise CheckInError("nik_mismatch")
    office = session.get(Office, booking.office_code)
    start, end = local_day_bounds(office, now)
    todays_slots = sa.select(Slot.id).where(Slot.starts_at >= start, Slot.starts_at < end)
    result = session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status == "booked",
               Booking.slot_id.in_(todays_slots))
        .values(status="checked_in", checked_in_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(booking)
    if result.rowcount != 1:
        raise CheckInError("wrong_state" if booking.status != "booked" else "not_today")
    audit.record(session, actor, "booking.check_in", f"booking:{booking.code}")
    return booking
