"""What drives the satisfaction index, measured by Rekam itself (issue 17, point 5): waiting
time and service time (percentiles), no-shows, station uptime, complaints answered and their
age — beside the IKM, so an office sees which element to fix (U3 waiting time, U8 complaints,
U9 facilities …).

Computed from what the booking rows already record, the call time of a queue ticket (issue 12)
and the outage history of a station (issue 15); see `wait_until_call` and `station_uptime`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Booking, MisconductReport, Office, Slot, Station, Ticket
from . import stations as station_states
from .ikm import Period, utc_bounds


@dataclass(frozen=True)
class Percentiles:
    """Durations in minutes (exact), by the nearest-rank method."""

    count: int
    p50: Fraction
    p90: Fraction


@dataclass(frozen=True)
class NoShows:
    due: int  # bookings whose slot has ended (cancelled and moved ones left out)
    no_shows: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.no_shows, self.due) if self.due else None


@dataclass(frozen=True)
class StationUptime:
    active_now: int
    stations: int
    # Share of the period's time (up to now) the office's stations were not in an outage, from
    # their outage history; None when the office has no station or the period has not begun.
    uptime: Fraction | None = None
    source: str = "outage history, whole period (not only opening hours)"


@dataclass(frozen=True)
class Complaints:
    received: int
    answered: int  # closed by the office
    open_median_days: Fraction | None
    open_oldest_days: Fraction | None


@dataclass(frozen=True)
class Drivers:
    wait: Percentiles | None
    wait_source: str
    service: Percentiles | None
    no_shows: NoShows
    stations: StationUptime
    complaints: Complaints


def percentile(sorted_values: Sequence[Fraction], p: int) -> Fraction:
    rank = max(1, math.ceil(Fraction(p, 100) * len(sorted_values)))
    return sorted_values[rank - 1]


def percentiles(minutes: Sequence[Fraction]) -> Percentiles | None:
    if not minutes:
        return None
    ordered = sorted(minutes)
    return Percentiles(len(ordered), percentile(ordered, 50), percentile(ordered, 90))


def _minutes(start: datetime, end: datetime) -> Fraction:
    return Fraction(int((end - start).total_seconds()), 60)


def _durations(session: Session, office: str, start_col, end_col, bounds) -> list[Fraction]:
    rows = session.execute(
        sa.select(start_col, end_col).where(
            Booking.office_code == office, start_col >= bounds[0], start_col < bounds[1],
            end_col.is_not(None), end_col >= start_col)).all()
    return [_minutes(a, b) for a, b in rows]


def wait_until_call(session: Session, office: str, bounds) -> tuple[list[Fraction], str]:
    """Check-in to being called: the queue ticket's call time (its last announcement) when the
    visit had a ticket that was called; otherwise the start of the recording stands in for
    the call (visits before the lobby, or checked in without the queue)."""
    called = sa.func.coalesce(Ticket.called_at, Booking.in_capture_at)
    rows = session.execute(
        sa.select(Booking.checked_in_at, called)
        .outerjoin(Ticket, Ticket.booking_id == Booking.id)
        .where(Booking.office_code == office, Booking.checked_in_at >= bounds[0],
               Booking.checked_in_at < bounds[1], called.is_not(None),
               called >= Booking.checked_in_at)).all()
    return ([_minutes(a, b) for a, b in rows],
            "check-in → ticket called (else start of recording)")


def _overlap(start: datetime, end: datetime | None, bounds, now: datetime) -> float:
    low, high = max(start, bounds[0]), min(end or now, bounds[1], now)
    return max(0.0, (high - low).total_seconds())


def station_uptime(session: Session, office: str, bounds,
                   now: datetime | None = None) -> StationUptime:
    """Stations up now, and the share of the period (up to now) they were up: each station's
    outages (stations.outages, from the audited state changes) clipped to the period."""
    now = now or datetime.now(UTC)
    rows = session.execute(sa.select(Station.code, Station.state).where(
        Station.office_code == office, Station.pool == "station")).all()
    span = _overlap(bounds[0], bounds[1], bounds, now)
    if not rows or span <= 0:
        return StationUptime(sum(1 for _c, s in rows if s == "active"), len(rows))
    out = sum(_overlap(o.started_at, o.ended_at, bounds, now)
              for code, _state in rows for o in station_states.outages(session, code))
    uptime = 1 - Fraction(round(out), round(span * len(rows)))
    return StationUptime(sum(1 for _c, s in rows if s == "active"), len(rows), uptime)


def no_shows(session: Session, office: str, bounds, now: datetime) -> NoShows:
    rows = session.execute(
        sa.select(Booking.status, sa.func.count()).join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.office_code == office, Slot.starts_at >= bounds[0],
               Slot.starts_at < bounds[1], Slot.ends_at <= now,
               Booking.status.not_in(("cancelled", "moved")))
        .group_by(Booking.status)).all()
    counts = dict(rows)
    return NoShows(sum(counts.values()), counts.get("no_show", 0))


def complaints(session: Session, office: str, bounds, now: datetime) -> Complaints:
    rows = session.execute(
        sa.select(MisconductReport.status, MisconductReport.created_at)
        .where(MisconductReport.office_code == office,
               MisconductReport.created_at >= bounds[0],
               MisconductReport.created_at < bounds[1])).all()
    open_ages = sorted(Fraction(int((now - created).total_seconds()), 86400)
                       for status, created in rows if status != "closed")
    return Complaints(len(rows), sum(1 for status, _ in rows if status == "closed"),
                      percentile(open_ages, 50) if open_ages else None,
                      open_ages[-1] if open_ages else None)


def drivers(session: Session, office_code: str, period: Period,
            now: datetime | None = None) -> Drivers:
    """The figures beside the IKM of an office for a period (in its zone)."""
    now = now or datetime.now(UTC)
    office = session.get(Office, office_code)
    bounds = utc_bounds(period, office.timezone)
    waits, source = wait_until_call(session, office_code, bounds)
    service = _durations(session, office_code, Booking.in_capture_at, Booking.recorded_at,
                         bounds)
    return Drivers(percentiles(waits), source, percentiles(service),
                   no_shows(session, office_code, bounds, now),
                   station_uptime(session, office_code, bounds, now),
                   complaints(session, office_code, bounds, now))

