"""How many people an office can take, slot by slot (DESIGN §3 Capacity).

Capacity of a slot = floor(active units × slot minutes ÷ minutes per visit), per pool (recording
stations for first recordings, counters for reprints). A share of it, rounded half up, is held back
for priority visitors and walk-ins on the day, and released to everyone `hold_release_hours`
before the slot starts. Slots are rows so that taking a place is one conditional UPDATE.
Times are stored in UTC and shown in the office's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import func, union_all
from sqlalchemy import literal as sa_literal
from sqlalchemy import null as sa_null
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from .. import formatting
from ..models import Closure, ExtraSession, Office, OpeningHours, Slot, Station
from .services import SERVICES

# Online bookings (web, desa staff, API) close this long before a slot starts, so the office
# knows who is coming; kiosk and officer walk-ins may still take today's free places.
ONLINE_CUTOFF = timedelta(hours=1)
WALK_IN_CHANNELS = ("kiosk", "officer")


def online_cutoff(office: Office) -> timedelta:
    """The office's own cut-off (issue 15: an admin setting; ONLINE_CUTOFF is its default)."""
    minutes = getattr(office, "online_cutoff_minutes", None)
    return ONLINE_CUTOFF if minutes is None else timedelta(minutes=minutes)


def pool_for(service_code: str) -> str:
    return SERVICES[service_code].pool


def minutes_per_visit(office: Office, pool: str) -> int:
    return office.recording_minutes if pool == "station" else office.counter_minutes


def slot_capacity(office: Office, pool: str, units: int) -> tuple[int, int]:
    """(capacity, held back) of one slot with this many active units."""
    capacity = units * office.slot_minutes // minutes_per_visit(office, pool)
    # Round half up in integers: 30 % of 5 = 1.5 → 2 (floats would make 2.5 → 2 elsewhere).
    held_back = (capacity * office.held_back_percent + 50) // 100
    return capacity, held_back


def active_units(session: Session, office_code: str, pool: str) -> int:
    return session.exec(
        select(func.count()).select_from(Station).where(
            Station.office_code == office_code, Station.pool == pool, Station.state == "active")
    ).one()


def zone(office: Office) -> ZoneInfo:
    return ZoneInfo(office.timezone)


def zone_name(office: Office) -> str:
    return formatting.zone_name(office.timezone)


def local_today(office: Office, now: datetime) -> date:
    return now.astimezone(zone(office)).date()


def local(office: Office, moment: datetime) -> datetime:
    return moment.astimezone(zone(office))


def horizon(office: Office, now: datetime) -> tuple[date, date]:
    """First and last bookable day, in the office's zone."""
    today = local_today(office, now)
    return today, today + timedelta(days=office.booking_horizon_days)


@lru_cache(maxsize=16)
def _national_holidays(year: int, lang: str = "id") -> dict[date, str]:
    # "government" holds the cuti bersama (collective leave) days the offices also close on.
    wanted = ("public", "government")
    known = getattr(holidays.country_holidays("ID"), "supported_categories", ("public",))
    found = holidays.country_holidays(
        "ID", years=year, categories=tuple(c for c in wanted if c in known),
        language="en_US" if lang == "en" else "id")
    return dict(found.items())


def admin_closures(session: Session, office: Office, first: date, last: date) -> dict[date, str]:
    """The office's own closures between first and last (inclusive), read once: a caller that
    needs them several times in one request passes them on as `closures`."""
    return dict(session.execute(select(Closure.day, Closure.reason).where(
        Closure.office_code == office.code, Closure.day >= first, Closure.day <= last)).all())


def office_with_closures(session: Session, code: str, first: date, last: date
                         ) -> tuple[Office | None, dict[date, str]]:
    """The office and its admin closures between first and last (inclusive) in one statement
    (an outer join: an office without closures is one row). A caller that knows the days only
    once it has the office's zone reads a day more on each side and lets closed_days pick."""
    if not (code.isascii() and code.isdigit()):
        return None, {}
    rows = session.execute(
        select(Office, Closure.day, Closure.reason)
        .outerjoin(Closure, (Closure.office_code == Office.code) & (Closure.day >= first)
                   & (Closure.day <= last))
        .where(Office.code == code)).all()
    if not rows:
        return None, {}
    return rows[0][0], {day: reason for _office, day, reason in rows if day is not None}


def closed_days(session: Session, office: Office, first: date, last: date,
                lang: str = "id", *, closures: dict[date, str] | None = None) -> dict[date, str]:
    """Days without service between first and last (inclusive): holidays and admin closures,
    with the holiday's name in the given language."""
    days: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        days.update({d: n for d, n in _national_holidays(year, lang).items() if first <= d <= last})
    if closures is None:
        closures = admin_closures(session, office, first, last)
    days.update({d: reason for d, reason in closures.items() if first <= d <= last})
    return days


def _hours(session: Session, office_code: str) -> dict[int, list[tuple[time, time]]]:
    hours: dict[int, list[tuple[time, time]]] = {}
    for row in session.exec(select(OpeningHours).where(OpeningHours.office_code == office_code)
                            .order_by(OpeningHours.weekday, OpeningHours.opens)):
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    return hours


def _hours_and_extra(session: Session, office_code: str, first: date, last: date
                     ) -> tuple[dict[int, list[tuple[time, time]]],
                                dict[date, list[tuple[time, time]]]]:
    """The weekly hours and the extra sessions between first and last (issue 15), in one
    statement: the booking pages count theirs."""
    weekly = select(OpeningHours.weekday.label("weekday"), sa_null().label("day"),
                    OpeningHours.opens, OpeningHours.closes).where(
        OpeningHours.office_code == office_code)
    extra = select(sa_literal(-1).label("weekday"), ExtraSession.day.label("day"),
                   ExtraSession.opens, ExtraSession.closes).where(
        ExtraSession.office_code == office_code, ExtraSession.day >= first,
        ExtraSession.day <= last)
    hours: dict[int, list[tuple[time, time]]] = {}
    extras: dict[date, list[tuple[time, time]]] = {}
    for weekday, day, opens, closes in session.execute(
            # The extra sessions first: a union's column types are its first select's (a typed
            # day, not NULL).
            union_all(extra, weekly).order_by("weekday", "day", "opens")):
        if weekday >= 0:
            hours.setdefault(weekday, []).append((opens, closes))
        else:
            extras.setdefault(day, []).append((opens, closes))
    return hours, extras


def planned_times(session: Session, office: Office, first: date, last: date, *,
                  closures: dict[date, str] | None = None) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every slot the weekly hours and the day's extra sessions
    (evenings, Saturdays: issue 15) give between first and last, except on closed days."""
    (hours, extra), tz = _hours_and_extra(session, office.code, first, last), zone(office)
    closed = closed_days(session, office, first, last, closures=closures)
    step = timedelta(minutes=office.slot_minutes)
    times = []
    day = first
    while day <= last:
        periods = [] if day in closed else hours.get(day.weekday(), []) + extra.get(day, [])
        for opens, closes in periods:
            start = datetime.combine(day, opens, tzinfo=tz)
            end_of_period = datetime.combine(day, closes, tzinfo=tz)
            while start + step <= end_of_period:
                times.append((start.astimezone(UTC), (start + step).astimezone(UTC)))
                start += step
        day += timedelta(days=1)
    # An extra session may overlap the weekly hours: each start once, in order.
    return sorted(set(times))


def _insert_ignoring_duplicates(session: Session, rows: list[dict]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Slot).values(rows).on_conflict_do_nothing(
        index_elements=["office_code", "pool", "starts_at"]))


def missing_times(session: Session, office: Office, pool: str, first: date,
                  last: date) -> list[tuple[datetime, datetime]]:
    planned = planned_times(session, office, first, last)
    if not planned:
        return []
    existing = set(session.exec(select(Slot.starts_at).where(
        Slot.office_code == office.code, Slot.pool == pool,
        Slot.starts_at >= planned[0][0], Slot.starts_at <= planned[-1][0])))
    return [(s, e) for s, e in planned if s not in existing]


def ensure_slots(session: Session, office: Office, pool: str, now: datetime) -> int:
    """Create the slot rows of the booking horizon that do not exist yet (idempotent, safe when
    several workers do it at once: the unique constraint ignores a second insert)."""
    first, last = horizon(office, now)
    missing = missing_times(session, office, pool, first, last)
    if missing:
        capacity, held_back = slot_capacity(office, pool, active_units(session, office.code, pool))
        _insert_ignoring_duplicates(session, [
            {"office_code": office.code, "pool": pool, "starts_at": s, "ends_at": e,
             "capacity": capacity, "held_back": held_back, "booked": 0, "booked_priority": 0}
            for s, e in missing])
        session.flush()
    return len(missing)


@dataclass(frozen=True)
class Availability:
    remaining: int  # places any booker may take now
    remaining_priority: int  # further places only priority visitors or walk-ins may take

    @property
    def free(self) -> int:
        return self.remaining + self.remaining_priority


def released(office: Office, slot: Slot, now: datetime) -> bool:
    """The held-back share is open to everyone this close to the slot."""
    return now >= slot.starts_at - timedelta(hours=office.hold_release_hours)


def availability(office: Office, slot: Slot, now: datetime) -> Availability:
    """DESIGN §6: the same answer for every caller."""
    free = max(0, slot.capacity - slot.booked)
    if now >= slot.starts_at - online_cutoff(office):
        remaining = 0  # only walk-ins at the office from here on
    elif released(office, slot, now):
        remaining = free
    else:
        open_share = slot.capacity - slot.held_back - (slot.booked - slot.booked_priority)
        remaining = max(0, min(free, open_share))
    return Availability(remaining, free - remaining)


def is_walk_in(office: Office, slot: Slot, channel: str, now: datetime) -> bool:
    return channel in WALK_IN_CHANNELS and local(office, slot.starts_at).date() == \
        local_today(office, now)


def bookable(session: Session, office: Office, slot: Slot, channel: str, now: datetime, *,
             closures: dict[date, str] | None = None) -> bool:
    """Whether the slot is open to this channel at all (time, horizon, closures); places are
    checked by the conditional UPDATE, not here. `closures={}`: the admin's closures are the
    caller's to check (the booking's UPDATE does), only the national holidays are here."""
    if slot.office_code != office.code or slot.ends_at <= now:
        return False
    day = local(office, slot.starts_at).date()
    first, last = horizon(office, now)
    if not first <= day <= last or day in closed_days(session, office, day, day,
                                                      closures=closures):
        return False
    return is_walk_in(office, slot, channel, now) or now < slot.starts_at - online_cutoff(office)


SLOT_COLUMNS = (Slot.id, Slot.office_code, Slot.pool, Slot.starts_at, Slot.ends_at,
                Slot.capacity, Slot.held_back, Slot.booked, Slot.booked_priority)


@dataclass(frozen=True)
class SlotView:
    slot: Slot  # a row with Slot's columns (read-only)
    availability: Availability


def list_slots(session: Session, office: Office, pool: str, first: date, last: date,
               now: datetime, *, closures: dict[date, str] | None = None) -> list[SlotView]:
    """Slots between two local days (inclusive) with a place left for someone, oldest first."""
    start_first, start_last = horizon(office, now)
    first, last = max(first, start_first), min(last, start_last)
    if first > last:
        return []
    tz = zone(office)
    lower = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    upper = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    closed = closed_days(session, office, first, last, closures=closures)
    views = []
    # Plain rows, not ORM objects: this is the hot read of every calendar and the public API.
    for slot in session.execute(select(*SLOT_COLUMNS).where(
            Slot.office_code == office.code, Slot.pool == pool, Slot.starts_at >= lower,
            Slot.starts_at < upper, Slot.ends_at > now).order_by(Slot.starts_at)):
        if local(office, slot.starts_at).date() in closed:
            continue
        view = SlotView(slot, availability(office, slot, now))
        if view.availability.free > 0:
            views.append(view)
    return views


def list_turns(office: Office, views: list[SlotView], now: datetime) -> datetime:
    """The first moment after `now` at which list_slots' answer changes by the clock alone (no
    write): a listed slot closing to online booking, its held-back share opening or its end;
    else the office's next day, when the horizon and "today" move. A slot left out for having
    no place stays out until someone writes."""
    tomorrow = datetime.combine(local_today(office, now) + timedelta(days=1), time(0),
                                tzinfo=zone(office))
    cutoff, release = online_cutoff(office), timedelta(hours=office.hold_release_hours)
    moments = (moment for view in views for moment in (
        view.slot.starts_at - cutoff, view.slot.starts_at - release, view.slot.ends_at))
    return min((tomorrow, *(moment for moment in moments if moment > now)))


def needs_materialising(session: Session, office: Office, pool: str, now: datetime) -> bool:
    """Whether the horizon's last open day has no slots yet. Slots are always created for the
    whole horizon at once, so this one cheap check stands for all of it."""
    first, last = horizon(office, now)
    open_weekdays = set(_hours(session, office.code))
    closed = closed_days(session, office, max(first, last - timedelta(days=14)), last)
    day = last
    while day >= first and (day.weekday() not in open_weekdays or day in closed):
        day -= timedelta(days=1)
    if day < first:
        return False
    latest = session.exec(select(func.max(Slot.starts_at)).where(
        Slot.office_code == office.code, Slot.pool == pool)).one()
    return latest is None or local(office, latest).date() < day


def keep_horizon(session: Session, office: Office, pool: str, now: datetime, *, seen: set,
                 write: Callable[[Callable[[Session], int]], int]) -> None:
    """Make sure the slot rows of the booking horizon exist before anyone lists them.

    `seen` is the caller's memory of horizons found complete: once complete on an office's day,
    one stays so until the next day (the job adds the new day's slots), and checking costs more
    than the list itself. `write(step)` runs step(session) where it may write: the caller's unit
    of work decides whether that is its own transaction or a short one of its own.
    """
    key = (office.code, pool, local_today(office, now))
    if key in seen:
        return
    if not needs_materialising(session, office, pool, now):
        seen.add(key)
        return
    write(lambda writer: ensure_slots(writer, writer.get(Office, office.code), pool, now))


# --- issue 14: outreach visits ---
# An outreach visit's slots ("mobile" pool) are the recording sets the team brings to the desa:
# they take first recordings there; document services stay at the office's counter.
MOBILE_POOL = "mobile"


def serves(slot_pool: str, service_code: str) -> bool:
    """Whether a slot of this pool may take a booking for the service."""
    if slot_pool == MOBILE_POOL:
        return SERVICES[service_code].needs_recording
    return slot_pool == pool_for(service_code)
