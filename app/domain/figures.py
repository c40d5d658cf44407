"""Figures per day or month (issue 15 §8): bookings, check-ins, no-shows, recorded and cards
collected, in total and per channel or per desa, for tables, server-drawn charts and CSV.

Each measure is counted on the day its event happened, in the office's zone: bookings on the
day of their slot (a rescheduled booking counts once, on its current slot; history rows left by
a move are not counted), check-ins when checked in, and so on. Retention empties a booking's
personal data but keeps the row, so the counts survive it (DESIGN §9).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import Session, select

from ..models import Booking, Desa, Office, Slot
from .audit_log import csv_rows

MEASURES = ("bookings", "checked_in", "no_show", "recorded", "collected")
GROUPS = ("channel", "desa")
PERIODS = ("day", "month")
MAX_DAYS = 400  # a year and a bit: enough to compare months, small enough to read at once
OUTSIDE = "-"  # the desa key of people from outside the kecamatan


@dataclass
class Figures:
    period: str
    periods: list[str]  # "2026-11-23" or "2026-11", in order, every one in range
    totals: dict[str, Counter] = field(default_factory=dict)  # period → measure → n
    groups: dict[str, Counter] = field(default_factory=dict)  # group key → measure → n
    group_names: dict[str, str] = field(default_factory=dict)

    def total(self, measure: str) -> int:
        return sum(c[measure] for c in self.totals.values())

    def peak(self) -> int:
        return max([c[m] for c in self.totals.values() for m in MEASURES] + [1])


def _periods(first: date, last: date, period: str) -> list[str]:
    keys, day = [], first
    while day <= last:
        key = day.isoformat() if period == "day" else day.isoformat()[:7]
        if not keys or keys[-1] != key:
            keys.append(key)
        day += timedelta(days=1)
    return keys


def figures(session: Session, office: Office, first: date, last: date, period: str = "day",
            group: str = "channel") -> Figures:
    if period not in PERIODS or group not in GROUPS:
        raise ValueError("unknown period or group")
    last = min(last, first + timedelta(days=MAX_DAYS))
    tz = ZoneInfo(office.timezone)
    lower = datetime.combine(first, time(0), tz)
    upper = datetime.combine(last + timedelta(days=1), time(0), tz)
    result = Figures(period, _periods(first, last, period))
    result.totals = {key: Counter() for key in result.periods}
    moments = (Booking.checked_in_at, Booking.no_show_at, Booking.recorded_at,
               Booking.collected_at)
    rows = session.exec(
        select(Booking.status, Booking.channel, Booking.desa_code, Slot.starts_at, *moments)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.office_code == office.code, Booking.status != "moved",
               or_(Slot.starts_at.between(lower, upper),
                   *(m.between(lower, upper) for m in moments)))).all()
    for status, channel, desa, starts_at, *when in rows:
        key = channel if group == "channel" else (desa or OUTSIDE)
        events = [("bookings", starts_at if status != "cancelled" else None),
                  *zip(MEASURES[1:], when, strict=True)]
        for measure, moment in events:
            if moment is None or not lower <= moment < upper:
                continue
            local = moment.astimezone(tz).date().isoformat()
            result.totals[local if period == "day" else local[:7]][measure] += 1
            result.groups.setdefault(key, Counter())[measure] += 1
    if group == "desa":
        names = dict(session.exec(select(Desa.code, Desa.name)
                                  .where(Desa.office_code == office.code)).all())
        result.group_names = {k: names.get(k, k) for k in result.groups}
    return result


def figures_csv(found: Figures, group: str) -> str:
    """Two blocks in one file: per period, then per channel or desa."""
    per_period = csv_rows(([p, *(found.totals[p][m] for m in MEASURES)] for p in found.periods),
                          (found.period, *MEASURES))
    per_group = csv_rows(([k, found.group_names.get(k, k), *(c[m] for m in MEASURES)]
                          for k, c in sorted(found.groups.items())),
                         (group, "name", *MEASURES))
    return per_period + "\n" + per_group
