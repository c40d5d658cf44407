"""Bring an office's future slots in line with its plan, and move whoever no longer fits.

One engine for every admin change that alters capacity (issue 15): a closure, new weekly hours,
an extra session, a settings change (slot length, minutes per visit, held-back share), and a
station going down or coming back (app/domain/stations.py). A slot whose time is still in the
plan gets the capacity the active units give; a slot the plan no longer has (a closed day,
hours taken away, the old grid after a slot-length change) keeps its row — bookings' history
points at it — with capacity 0. Bookings that no longer fit move to the nearest free slot,
priority visitors first, then the earliest booked (DESIGN §3); each is told why; whoever finds
no place in the horizon keeps their slot and is listed for the admin to call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from ..adapters import notify
from ..formatting import display_code
from ..models import POOLS, Booking, Office, Slot, UnplacedBooking, utcnow
from . import audit, capacity
from . import booking as bookings

# Why a person was moved, in the words of their message (SMS/WhatsApp: Indonesian, short).
CAUSE_WORDS = {
    "station": "stasiun perekaman di {office} sedang tidak bisa dipakai",
    "closure": "{office} tutup pada hari jadwal Anda",
    "hours": "jam layanan {office} berubah",
    "settings": "pengaturan jadwal {office} berubah",
}


@dataclass
class Move:
    booking: Booking  # the new current row
    old_slot: Slot
    new_slot: Slot


@dataclass
class Replan:
    slots_created: int = 0
    moved: list[Move] = field(default_factory=list)
    unplaced: list[tuple[Booking, Slot]] = field(default_factory=list)

    def extend(self, other: Replan) -> None:
        self.slots_created += other.slots_created
        self.moved += other.moved
        self.unplaced += other.unplaced


def _keep_order(booking: Booking) -> tuple:
    # Who keeps a place: those already at the desk, then priority visitors, then earliest booked.
    return (booking.status == "booked", not booking.priority, booking.created_at, booking.id)


def _overflow(session: Session, slot: Slot) -> list[Booking]:
    holding = session.exec(select(Booking).where(
        Booking.slot_id == slot.id, Booking.status.not_in(bookings.RELEASED_STATUSES))).all()
    kept_in_order = sorted(holding, key=_keep_order)
    return [b for b in kept_in_order[slot.capacity:] if b.status == "booked"]


def _future_slots(session: Session, office: Office, pool: str, now: datetime) -> list[Slot]:
    return list(session.exec(
        select(Slot).where(Slot.office_code == office.code, Slot.pool == pool,
                           Slot.starts_at > now)
        .order_by(Slot.starts_at).execution_options(populate_existing=True)))


def _nearest_free(slots: list[Slot], origin: Slot, closed: set, office: Office,
                  now: datetime) -> list[Slot]:
    """Slots with a free place that a person can still be told about in time, nearest to the
    lost one (the later wins a tie)."""
    cutoff = capacity.online_cutoff(office)
    candidates = [s for s in slots if s.id != origin.id and s.booked < s.capacity
                  and now < s.starts_at - cutoff
                  and capacity.local(office, s.starts_at).date() not in closed]
    return sorted(candidates, key=lambda s: (abs((s.starts_at - origin.starts_at).total_seconds()),
                                             s.starts_at < origin.starts_at))


def moved_text(booking: Booking, slot: Slot, office: Office, cause: str) -> str:
    why = CAUSE_WORDS.get(cause, CAUSE_WORDS["settings"]).format(office=office.name)
    when = capacity.local(office, slot.starts_at)
    return (f"Rekam: {why}. Jadwal Anda (kode {display_code(booking.code)}) dipindah ke "
            f"{when:%d-%m-%Y} pukul {when:%H.%M} {capacity.zone_name(office)}. Tidak bisa datang? "
            f"Ubah atau batalkan dengan kode dan NIK Anda. Gratis, jangan bayar siapa pun.")


def _set_capacities(session: Session, office: Office, pool: str, now: datetime) -> None:
    first, last = capacity.horizon(office, now)
    planned = dict(capacity.planned_times(session, office, first, last))
    new_capacity, held_back = capacity.slot_capacity(
        office, pool, capacity.active_units(session, office.code, pool))
    future = session.exec(select(Slot.id, Slot.starts_at, Slot.ends_at).where(
        Slot.office_code == office.code, Slot.pool == pool, Slot.starts_at > now)).all()
    # A new slot length keeps a slot that starts on the new grid (its bookings stay) and
    # gives it the new end; slots off the new grid close and their people move.
    for slot_id, start, end in future:
        if start in planned and planned[start] != end:
            session.execute(update(Slot).where(Slot.id == slot_id)
                            .values(ends_at=planned[start])
                            .execution_options(synchronize_session=False))
    in_plan = [i for i, s, _e in future if s in planned]
    off_plan = [i for i, s, _e in future if s not in planned]
    for ids, cap, held in ((in_plan, new_capacity, held_back), (off_plan, 0, 0)):
        for start in range(0, len(ids), 500):
            session.execute(update(Slot).where(
                Slot.id.in_(ids[start:start + 500]),
                (Slot.capacity != cap) | (Slot.held_back != held))
                .values(capacity=cap, held_back=held)
                .execution_options(synchronize_session=False))


def replan_pool(session: Session, office: Office, pool: str, *, cause: str, detail: str,
                actor: str, now: datetime | None = None) -> Replan:
    """Capacities from the plan for one pool, missing slots created, overflow moved."""
    now = now or utcnow()
    result = Replan()
    _set_capacities(session, office, pool, now)
    result.slots_created = capacity.ensure_slots(session, office, pool, now)
    future = _future_slots(session, office, pool, now)
    first, last = capacity.horizon(office, now)
    closed = set(capacity.closed_days(session, office, first, last))
    movers = [(b, s) for s in future if s.booked > s.capacity for b in _overflow(session, s)]
    movers.sort(key=lambda pair: (not pair[0].priority, pair[0].created_at, pair[0].id))
    for booking, old_slot in movers:
        moved = _move_to_nearest(session, booking, old_slot, future, closed, office, actor,
                                 cause, now)
        if moved is None:
            session.add(UnplacedBooking(booking_id=booking.id, office_code=office.code,
                                        cause=detail[:60], created_at=now))
            audit.record(session, actor, "booking.unplaced", f"booking:{booking.code}", detail)
            result.unplaced.append((booking, old_slot))
        else:
            result.moved.append(moved)
    session.flush()
    return result


def replan_office(session: Session, office: Office, *, cause: str, detail: str, actor: str,
                  now: datetime | None = None) -> Replan:
    """Both pools of an office (a closure or new hours affect recording and counter alike)."""
    result = Replan()
    for pool in POOLS:
        result.extend(replan_pool(session, office, pool, cause=cause, detail=detail,
                                  actor=actor, now=now))
    return result


def _move_to_nearest(session: Session, booking: Booking, old_slot: Slot, slots: list[Slot],
                     closed: set, office: Office, actor: str, cause: str,
                     now: datetime) -> Move | None:
    for candidate in _nearest_free(slots, old_slot, closed, office, now):
        try:
            successor = bookings.move_booking(session, booking, candidate, actor, office=office,
                                              now=now, any_free_place=True)
        except bookings.BookingError:
            session.refresh(candidate)  # taken meanwhile: try the next nearest
            continue
        session.refresh(candidate)
        session.refresh(old_slot)
        notify.queue(session, successor, "moved", moved_text(successor, candidate, office, cause),
                     now=now)
        audit.record(session, actor, "booking.moved", f"booking:{booking.code}",
                     f"from_slot={old_slot.id} to_slot={candidate.id} cause={cause}")
        return Move(successor, old_slot, candidate)
    return None


@dataclass(frozen=True)
class UnplacedRow:
    """One person the admin must call: their code, slot and phone (shown to the admin only)."""

    entry: UnplacedBooking
    booking: Booking
    slot: Slot


def open_unplaced(session: Session, office_code: str) -> list[UnplacedRow]:
    rows = session.exec(
        select(UnplacedBooking, Booking, Slot)
        .join(Booking, Booking.id == UnplacedBooking.booking_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(UnplacedBooking.office_code == office_code, UnplacedBooking.resolved_at.is_(None))
        .order_by(Slot.starts_at, UnplacedBooking.id)).all()
    return [UnplacedRow(*row) for row in rows]


def resolve_unplaced(session: Session, office_code: str, entry_id: int, actor: str,
                     now: datetime | None = None) -> bool:
    """The admin called the person and sorted it out."""
    entry = session.get(UnplacedBooking, entry_id)
    if entry is None or entry.office_code != office_code or entry.resolved_at is not None:
        return False
    entry.resolved_at = now or utcnow()
    session.add(entry)
    audit.record(session, actor, "booking.unplaced_resolved", f"unplaced:{entry.id}")
    return True
