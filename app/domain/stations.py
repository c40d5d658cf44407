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

from sqlmodel import Session, select

from ..models import (
    STATION_STATES,
    AuditEntry,
    Booking,
    Office,
    Slot,
    Station,
    UnplacedBooking,
    utcnow,
)
from . import audit, capacity, replan
from .replan import Move


class StationError(Exception):
    pass


@dataclass
class Recompute:
    station: Station
    capacity: int  # per slot now
    slots_changed: int = 0
    moved: list[Move] = field(default_factory=list)
    unplaced: list[tuple[Booking, Slot]] = field(default_factory=list)


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
                 f"{before}->{state}", at=now)
    return recompute(session, station, actor, now)


def recompute(session: Session, station: Station, actor: str, now: datetime) -> Recompute:
    """The station's pool replanned (app/domain/replan.py: the same engine as closures, hours
    and settings), so a slot the plan has closed stays closed when a station comes back."""
    office = session.get(Office, station.office_code)
    units = capacity.active_units(session, office.code, station.pool)
    new_capacity, _held_back = capacity.slot_capacity(office, station.pool, units)
    outcome = replan.replan_pool(session, office, station.pool, cause="station",
                                 detail=f"station {station.code} {station.state}", actor=actor,
                                 now=now)
    return Recompute(station, new_capacity, moved=outcome.moved, unplaced=outcome.unplaced)


def open_unplaced(session: Session, office_code: str | None = None) -> list[UnplacedBooking]:
    """What the admin still has to sort out."""
    query = select(UnplacedBooking).where(UnplacedBooking.resolved_at.is_(None))
    if office_code:
        query = query.where(UnplacedBooking.office_code == office_code)
    return list(session.exec(query.order_by(UnplacedBooking.created_at)))


# --- issue 15 (F): the admin's station page ---


@dataclass(frozen=True)
class Outage:
    """A stretch a station was out of service: what an office shows the kabupaten when it asks
    for repairs or another set. `ended_at` None: still out."""

    state: str  # "down" | "maintenance"
    started_at: datetime
    ended_at: datetime | None
    by: str

    def duration(self, now: datetime):
        return (self.ended_at or now) - self.started_at


def outages(session: Session, station_code: str) -> list[Outage]:
    """Read from the audit log's state changes (each one written by set_station_state), the
    latest first."""
    changes = session.exec(select(AuditEntry).where(
        AuditEntry.action == "station.state", AuditEntry.subject == f"station:{station_code}")
        .order_by(AuditEntry.at, AuditEntry.id)).all()
    found: list[Outage] = []
    current: tuple[str, datetime, str] | None = None
    for change in changes:
        state = change.detail.rpartition("->")[2]
        if current is not None and state != current[0]:
            found.append(Outage(current[0], current[1], change.at, current[2]))
            current = None
        if state != "active" and current is None:
            current = (state, change.at, change.actor)
    if current is not None:
        found.append(Outage(current[0], current[1], None, current[2]))
    return found[::-1]


def office_stations(session: Session, office_code: str) -> list[Station]:
    return list(session.exec(select(Station).where(Station.office_code == office_code)
                             .order_by(Station.pool.desc(), Station.code)))
