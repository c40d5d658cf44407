"""Check-in: the person with a booking has arrived at the office (DESIGN §1, §6), and gets a
ticket in the lobby queue (app/domain/queue.py).

One function for every door — the officer's scanner page, the kiosk and the API. The full NIK
comes in the same call, typed or scanned from the KK and compared by keyed hash: a receipt alone
checks nobody in (a photographed receipt is not the person). The state change is a single
conditional UPDATE, so two scans of the same receipt at two counters check the person in once.
"""

from __future__ import annotations

import hmac
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Booking, Office, Slot, Ticket, utcnow
from . import audit, queue
from .nik import NikError, nik_hash

# After these a booking has been checked in already (the receipt reads `used`).
ARRIVED_STATUSES = ("checked_in", "in_capture", "recorded", "card_ready", "collected", "served")


class CheckInError(Exception):
    """`code`: nik_mismatch (the NIK is not the booking holder's, or not a NIK), not_today (the
    slot is on another day in the office's zone), already_checked_in, or wrong_state
    (cancelled, no-show, moved)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def local_day_bounds(office: Office, now: datetime) -> tuple[datetime, datetime]:
    """Today in the office's zone, as a UTC half-open interval."""
    tz = ZoneInfo(office.timezone)
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tz)


def nik_is_holders(booking: Booking, nik: str | None, data_key: str | bytes) -> bool:
    """The typed NIK against the booking's keyed hash; anything that is not a NIK is no match.
    An emptied hash (retention, issue 9) never matches."""
    key = data_key.encode() if isinstance(data_key, str) else data_key
    try:
        hashed = nik_hash(nik or "", key)
    except (NikError, ValueError):
        return False
    return bool(booking.nik_hash) and hmac.compare_digest(hashed, booking.nik_hash)


def admit(session: Session, booking: Booking, actor: str, *, walk_in: bool = False,
          now: datetime | None = None) -> Ticket:
    """`booked` → `checked_in` on the slot's own day, and the ticket; the caller has made sure
    who the person is (the NIK here, or the walk-in's own booking just made)."""
    now = now or utcnow()
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
        if booking.status in ARRIVED_STATUSES:
            raise CheckInError("already_checked_in")
        raise CheckInError("wrong_state" if booking.status != "booked" else "not_today")
    ticket = queue.issue_ticket(session, booking, walk_in=walk_in, now=now)
    audit.record(session, actor, "booking.check_in", f"booking:{booking.code}",
                 f"ticket={queue.display_number(ticket.lane, ticket.number)}")
    return ticket


def check_in(session: Session, booking: Booking, actor: str, nik: str | None,
             now: datetime | None = None, *, data_key: str | bytes) -> Ticket:
    """The NIK first (a wrong one learns nothing about the booking's state), then `admit`.
    `data_key`: the app's DATA_KEY (the NIK's keyed hash)."""
    if not nik_is_holders(booking, nik, data_key):
        raise CheckInError("nik_mismatch")
    return admit(session, booking, actor, now=now)
