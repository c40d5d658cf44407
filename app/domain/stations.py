"""A station goes down or comes back: recompute capacity and move whoever no longer fits.

Only a person decides this (an admin or officer, by CLI or admin screen): a missed capture
heartbeat raises an alarm but never calls this, so a dropped link does not move anyone
(DESIGN §3). Bookings that no longer fit are moved to the nearest free slot, priority visitors
kept first, then the earliest booked; each moved person gets a message; whoever cannot be moved
within the horizon keeps their slot and is listed for the admin — nobody is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from ..adapters import notify
from ..models import STATION_STATES, Booking, Office, Slot, Station, UnplacedBooking, utcnow
from . import audit, capacity
from . import booking as bookings


class StationError(Exception):
    pass


@dataclass
class Move:
    booking: Booking  # the new current row
    old_slot: Slot
    new_slot: Slot


@dataclass
class Recompute:
    station: Station
    capacity: int  # per slot now
    slots_changed: int = 0
    moved: list[Move] = field(default_factory=list)
    unplaced: list[tuple[Booking, Slot]] = field(default_factory=list)


def _keep_order(booking: Booking) -> tuple:
    # Who keeps a place: those already at the desk, then priority visitors, then earliest booked.
    return (booking.status == "booked", not booking.priority, booking.created_at, booking.id)


def _overflow(session: Session, slot: Slot) -> list[Booking]:
    holding = session.exec(select(Booking).where(
        Booking.slot_id == slot.id, Booking.status.not_in(bookings.RELEASED_STATUSES))).all()
    kept_in_order = sorted(holding, key=_keep_order)
    return [b for b in kept_in_order[slot.capacity:] if b.status == "booked"]


def _nearest_free(slots: list[Slot], origin: Slot, closed: set, office: Office,
                  now: datetime) -> list[Slot]:
    """Slots with a free place that a person can still be told about in time, nearest to the
    lost one (the later wins a tie)."""
    candidates = [s for s in slots if s.id != origin.id and s.booked < s.capacity
                  and now < s.starts_at - capacity.ONLINE_CUTOFF
                  and capacity.local(office, s.starts_at).date() not in closed]
    return sorted(candidates, key=lambda s: (abs((s.starts_at - origin.starts_at).total_seconds()),
                                             s.starts_at < origin.starts_at))


def set_station_state(session: Session, station_code: str, state: str, actor: str,
                      now: datetime | None = None) -> Recompute:
    if state not in STATION_STATES:
        raise StationError(f"unknown state {state!r}")
    now = now or utcnow()
    station = session.exec(select(Station).where(Station.code == station_code)).first()
    if station is None:
        raise StationError(f"no station {station_code!r}")
    before = station.state
    station.state, station.state_changed_at = state, now
    session.add(station)
    session.flush()
    audit.record(session, actor, "station.state", f"station:{station.code}",
                 f"{before}->{state}")
    return recompute(session, station, actor, now)


def _future_slots(session: Session, office: Office, pool: str, now: datetime) -> list[Slot]:
    return list(session.exec(
        select(Slot).where(Slot.office_code == office.code, Slot.pool == pool,
                           Slot.starts_at > now)
        .order_by(Slot.starts_at).execution_options(populate_existing=True)))


def recompute(session: Session, station: Station, actor: str, now: datetime) -> Recompute:
    office = session.get(Office, station.office_code)
    units = capacity.active_units(session, office.code, station.pool)
    new_capacity, held_back = capacity.slot_capacity(office, station.pool, units)
    result = Recompute(station, new_capacity)
    session.execute(update(Slot).where(
        Slot.office_code == office.code, Slot.pool == station.pool, Slot.starts_at > now,
        (Slot.capacity != new_capacity) | (Slot.held_back != held_back))
        .values(capacity=new_capacity, held_back=held_back)
        .execution_options(synchronize_session=False))
    future = _future_slots(session, office, station.pool, now)
    first, last = capacity.horizon(office, now)
    closed = set(capacity.closed_days(session, office, first, last))
    movers = [(b, s) for s in future if s.booked > s.capacity for b in _overflow(session, s)]
    movers.sort(key=lambda pair: (not pair[0].priority, pair[0].created_at, pair[0].id))
    cause = f"station {station.code} {station.state}"
    for booking, old_slot in movers:
        moved = _move_to_nearest(session, booking, old_slot, future, closed, office, actor, now)
        if moved is None:
            session.add(UnplacedBooking(booking_id=booking.id, office_code=office.code,
                                        cause=cause[:60], created_at=now))
            audit.record(session, actor, "booking.unplaced", f"booking:{booking.code}", cause)
            result.unplaced.append((booking, old_slot))
        else:
            result.moved.append(moved)
    session.flush()
    return result


def _move_to_nearest(session: Session, booking: Booking, old_slot: Slot, slots: list[Slot],
                     closed: set, office: Office, actor: str, now: datetime) -> Move | None:
    for candidate in _nearest_free(slots, old_slot, closed, office, now):
        try:
            successor = bookings.move_booking(session, booking, candidate, actor, office=office,
                                              now=now, any_free_place=True)
        except bookings.BookingError:
            session.refresh(candidate)  # taken meanwhile: try the next nearest
            continue
        session.refresh(candidate)
        session.refresh(old_slot)
        notify.queue(session, successor, "moved",
                     bookings.notice_text("moved", successor, candidate, office), now=now)
        audit.record(session, actor, "booking.moved", f"booking:{booking.code}",
                     f"from_slot={old_slot.id} to_slot={candidate.id}")
        return Move(successor, old_slot, candidate)
    return None


def open_unplaced(session: Session, office_code: str | None = None) -> list[UnplacedBooking]:
    """What the admin still has to sort out."""
    query = select(UnplacedBooking).where(UnplacedBooking.resolved_at.is_(None))
    if office_code:
        query = query.where(UnplacedBooking.office_code == office_code)
    return list(session.exec(query.order_by(UnplacedBooking.created_at)))
