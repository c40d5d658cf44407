"""What drives the satisfaction index, measured by Rekam itself (issue 17, point 5): waiting
time and service time (percentiles), no-shows, station uptime, complaints answered and their
age — beside the IKM, so an office sees which element to fix (U3 waiting time, U8 complaints,
U9 facilities …).

Computed from what the booking rows already record. Two figures have a named place waiting for
data that arrives with other issues: the call time of a queue ticket (issue 12) and the
outage history of a station (issue 15); see `wait_until_call` and `station_uptime`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session

from ..models import Booking, MisconductReport, Office, Slot, Station
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
    # Share of opening time the stations were up in the period; None until the outage history
    # of issue 15 exists (the station row keeps only its current state).
    uptime: Fraction | None = None
    source: str = "current state only"


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
    """Check-in to being called. --- issue 12 (C): when queue tickets keep their call time,
    read check-in → call from the ticket here. Until then the start of the recording
    (`in_capture_at`) stands in for the call, and the source says so."""
    return (_durations(session, office, Booking.checked_in_at, Booking.in_capture_at, bounds),
            "check-in → start of recording")


def station_uptime(session: Session, office: str, bounds) -> StationUptime:
    """--- issue 15 (F): with the stations' outage history, compute the share of opening
    time each was up within `bounds` here and fill `uptime`. Until then: stations up now."""
    states = session.execute(sa.select(Station.state).where(Station.office_code == office,
                                                            Station.pool == "station")).all()
    return StationUptime(sum(1 for (s,) in states if s == "active"), len(states))


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
                   station_uptime(session, office_code, bounds),
                   complaints(session, office_code, bounds, now))

