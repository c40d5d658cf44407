"""The officer's day (issue 13): today's bookings of one office by slot, and no-show by hand
with its same-day undo. The list is one statement whatever the day's size (a test counts it):
an office with 2,000 bookings must not send 2,000 queries to show them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..formatting import masked_nik
from ..models import Booking, Office, Slot, Ticket, utcnow
from . import audit, capacity
from .lifecycle import NO_SHOW, UNDO_NO_SHOW, StepError, advance, next_steps
from .queue import display_number

# The filter's choices, in the order of the day.
STATUS_FILTERS = ("booked", "checked_in", "in_capture", "recorded", "served", "card_ready",
                  "collected", "no_show", "cancelled", "central_rejected")
SEARCH_LENGTH = 60


@dataclass(frozen=True)
class DayRow:
    code: str
    status: str
    starts_at: datetime
    ends_at: datetime
    pool: str
    service: str
    name: str
    nik_masked: str
    priority: bool
    needs: tuple[str, ...]
    channel: str
    ticket: str | None  # the lobby's queue ticket (issue 12) once checked in


def day_bounds(office: Office, day: date) -> tuple[datetime, datetime]:
    tz = capacity.zone(office)
    start = datetime.combine(day, time(0), tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tz)


_COLUMNS = (Booking.code, Booking.status, Slot.starts_at, Slot.ends_at, Slot.pool,
            Booking.service, Booking.name, Booking.nik_last4, Booking.priority, Booking.needs,
            Booking.channel, Ticket.lane, Ticket.number)


def day_list(session: Session, office: Office, day: date, *, status: str | None = None,
             search: str | None = None) -> list[DayRow]:
    """The day's bookings (not the `moved` history rows) by slot, then priority first, then
    name; `status` filters, `search` matches the booking code or a part of the name."""
    start, end = day_bounds(office, day)
    # The ticket rides on the same statement (an outer join: most rows have none yet), so the
    # list stays one query whatever the day's size.
    query = (sa.select(*_COLUMNS).join(Slot, Slot.id == Booking.slot_id)
             .outerjoin(Ticket, Ticket.booking_id == Booking.id)
             .where(Booking.office_code == office.code, Booking.status != "moved",
                    Slot.starts_at >= start, Slot.starts_at < end)
             .order_by(Slot.starts_at, Booking.priority.desc(), Booking.name, Booking.code))
    if status in STATUS_FILTERS:
        query = query.where(Booking.status == status)
    text = " ".join((search or "").split())[:SEARCH_LENGTH]
    if text:
        code = text.replace("-", "").upper()
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        query = query.where(sa.or_(Booking.code == code,
                                   sa.func.lower(Booking.name).like(pattern, escape="\\")))
    return [DayRow(code, state, starts, ends, pool, service, name, masked_nik(last4),
                   priority, tuple(json.loads(needs or "[]")), channel,
                   display_number(lane, number) if lane else None)
            for (code, state, starts, ends, pool, service, name, last4, priority, needs,
                 channel, lane, number) in session.execute(query)]


# --- no-show by hand, and its undo -------------------------------------------------------------


def _slot(session: Session, booking: Booking) -> Slot:
    return session.get(Slot, booking.slot_id)


def mark_no_show(session: Session, booking: Booking, actor: str,
                 now: datetime | None = None) -> Booking:
    """The officer marks a booked person as not come, once their slot has begun (the job does
    the same after the slot's end plus the office's grace). The place stays counted."""
    now = now or utcnow()
    session.refresh(booking)
    if NO_SHOW not in next_steps(booking):
        raise StepError("wrong_state", next_steps(booking))
    if _slot(session, booking).starts_at > now:
        raise StepError("not_started", next_steps(booking))
    advance(session, booking, NO_SHOW, ("booked",), now, status="no_show", no_show_at=now)
    audit.record(session, actor, "booking.no_show", f"booking:{booking.code}", "by hand")
    return booking


def undo_no_show(session: Session, booking: Booking, actor: str,
                 now: datetime | None = None) -> Booking:
    """The person turned up late the same day: back to `booked`, to be checked in as usual.
    Not once the day is over, nor when they have booked again meanwhile (one active booking
    per NIK: the schema refuses it)."""
    now = now or utcnow()
    session.refresh(booking)
    if UNDO_NO_SHOW not in next_steps(booking):
        raise StepError("wrong_state", next_steps(booking))
    office = session.get(Office, booking.office_code)
    start, end = day_bounds(office, capacity.local_today(office, now))
    if not start <= _slot(session, booking).starts_at < end:
        raise StepError("not_today", next_steps(booking))
    try:
        with session.begin_nested():
            advance(session, booking, UNDO_NO_SHOW, ("no_show",), now, status="booked",
                    no_show_at=None)
    except IntegrityError:
        session.refresh(booking)
        raise StepError("booked_again", next_steps(booking)) from None
    audit.record(session, actor, "booking.undo_no_show", f"booking:{booking.code}")
    return booking
