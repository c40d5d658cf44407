"""An office's hours: the weekly ones, extra sessions on a date, and its own closures (issue 15).

Each change replans the office's future slots (app/domain/replan.py): a closure or hours taken
away move the bookings they hit to the nearest free slots, priority visitors first, and each
person is told; whoever finds no place is listed with their phone for the admin to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete
from sqlmodel import Session, select

from ..models import Closure, ExtraSession, Office, OpeningHours, utcnow
from . import audit, capacity, replan
from .names import text_problem

REASON_MAX = 200


class HoursInvalid(ValueError):
    """`errors`: field → code (`required`, `time`, `order`, `past`, `horizon`, `closed_already`,
    `length`, `text`, `overlap`)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Period:
    opens: time
    closes: time


def weekly_hours(session: Session, office_code: str) -> dict[int, list[Period]]:
    hours: dict[int, list[Period]] = {day: [] for day in range(7)}
    for row in session.exec(select(OpeningHours).where(OpeningHours.office_code == office_code)
                            .order_by(OpeningHours.weekday, OpeningHours.opens)):
        hours[row.weekday].append(Period(row.opens, row.closes))
    return hours


def _check_periods(periods: list[tuple[time, time]], field: str, errors: dict) -> None:
    ordered = sorted(periods)
    for opens, closes in ordered:
        if opens >= closes:
            errors[field] = "order"
            return
    for (_o1, c1), (o2, _c2) in zip(ordered, ordered[1:], strict=False):
        if o2 < c1:
            errors[field] = "overlap"
            return


def set_weekly_hours(session: Session, office_code: str,
                     hours: dict[int, list[tuple[time, time]]], actor: str,
                     now: datetime | None = None) -> replan.Replan:
    """Replace the weekly hours (Monday = 0; an empty list: closed that weekday)."""
    errors: dict[str, str] = {}
    for weekday, periods in hours.items():
        _check_periods(periods, f"day{weekday}", errors)
    if errors:
        raise HoursInvalid(errors)
    session.execute(delete(OpeningHours).where(OpeningHours.office_code == office_code))
    for weekday, periods in sorted(hours.items()):
        for opens, closes in periods:
            session.add(OpeningHours(office_code=office_code, weekday=weekday, opens=opens,
                                     closes=closes))
    session.flush()
    summary = " ".join(f"{d}:" + ",".join(f"{o:%H%M}-{c:%H%M}" for o, c in sorted(p))
                       for d, p in sorted(hours.items()))
    audit.record(session, actor, "office.hours", f"office:{office_code}", summary, at=now)
    return replan.replan_office(session, session.get(Office, office_code), cause="hours",
                                detail="weekly hours changed", actor=actor, now=now)


def _check_day(office: Office, day: date | None, now: datetime, errors: dict) -> None:
    if day is None:
        errors["day"] = "required"
        return
    first, last = capacity.horizon(office, now)
    if day < first:
        errors["day"] = "past"
    elif day > last:
        errors["day"] = "horizon"


def _check_text(text: str, field: str, errors: dict, required: bool = False) -> str:
    text = " ".join((text or "").split())
    if required and not text:
        errors[field] = "required"
    elif len(text) > REASON_MAX:
        errors[field] = "length"
    elif text_problem(text):
        errors[field] = "text"
    return text


def extra_sessions(session: Session, office_code: str, since: date) -> list[ExtraSession]:
    return list(session.exec(select(ExtraSession).where(
        ExtraSession.office_code == office_code, ExtraSession.day >= since)
        .order_by(ExtraSession.day, ExtraSession.opens)))


def add_extra_session(session: Session, office_code: str, day: date | None,
                      opens: time | None, closes: time | None, note: str, actor: str,
                      now: datetime | None = None) -> tuple[ExtraSession, replan.Replan]:
    now = now or utcnow()
    office = session.get(Office, office_code)
    errors: dict[str, str] = {}
    _check_day(office, day, now, errors)
    if opens is None:
        errors["opens"] = "time"
    if closes is None:
        errors["closes"] = "time"
    elif opens is not None and opens >= closes:
        errors["closes"] = "order"
    note = _check_text(note, "note", errors)
    if errors:
        raise HoursInvalid(errors)
    extra = ExtraSession(office_code=office_code, day=day, opens=opens, closes=closes, note=note)
    session.add(extra)
    session.flush()
    audit.record(session, actor, "office.extra_session", f"office:{office_code}",
                 f"id={extra.id} {day} {opens:%H%M}-{closes:%H%M}", at=now)
    return extra, replan.replan_office(session, office, cause="hours",
                                       detail=f"extra session {day} added", actor=actor,
                                       now=now)


def remove_extra_session(session: Session, office_code: str, extra_id: int, actor: str,
                         now: datetime | None = None) -> replan.Replan | None:
    return _remove(session, ExtraSession, office_code, extra_id, actor, now,
                   "office.extra_session_removed", "extra session {day} removed")


def closures(session: Session, office_code: str, since: date) -> list[Closure]:
    return list(session.exec(select(Closure).where(
        Closure.office_code == office_code, Closure.day >= since).order_by(Closure.day)))


def add_closure(session: Session, office_code: str, day: date | None, reason: str, actor: str,
                now: datetime | None = None) -> tuple[Closure, replan.Replan]:
    """Close a day (a holiday the holidays package lacks, a training day) and move everyone
    booked on it."""
    now = now or utcnow()
    office = session.get(Office, office_code)
    errors: dict[str, str] = {}
    _check_day(office, day, now, errors)
    reason = _check_text(reason, "reason", errors, required=True)
    if "day" not in errors and session.exec(select(Closure).where(
            Closure.office_code == office_code, Closure.day == day)).first():
        errors["day"] = "closed_already"
    if errors:
        raise HoursInvalid(errors)
    closure = Closure(office_code=office_code, day=day, reason=reason)
    session.add(closure)
    session.flush()
    audit.record(session, actor, "office.closure", f"office:{office_code}",
                 f"id={closure.id} {day}", at=now)
    return closure, replan.replan_office(session, office, cause="closure",
                                         detail=f"closed {day}", actor=actor, now=now)


def remove_closure(session: Session, office_code: str, closure_id: int, actor: str,
                   now: datetime | None = None) -> replan.Replan | None:
    """Open the day again: its slots take bookings again (nobody moved comes back by itself)."""
    return _remove(session, Closure, office_code, closure_id, actor, now,
                   "office.closure_removed", "reopened {day}")


def _remove(session: Session, model, office_code: str, row_id: int, actor: str,
            now: datetime | None, action: str, detail: str) -> replan.Replan | None:
    """Delete the office's closure or extra session (None when it is not the office's), audit
    it and replan: the day's times change either way."""
    row = session.get(model, row_id)
    if row is None or row.office_code != office_code:
        return None
    day = row.day
    session.delete(row)
    session.flush()
    audit.record(session, actor, action, f"office:{office_code}", f"id={row_id} {day}", at=now)
    return replan.replan_office(session, session.get(Office, office_code), cause="hours",
                                detail=detail.format(day=day), actor=actor, now=now)


def parse_time(text: str | None) -> time | None:
    """08.00, 08:00 or 8.00 (as people write hours in Indonesia); None when it is not a time."""
    text = (text or "").strip().replace(".", ":")
    hour, colon, minute = text.partition(":")
    if not (colon and hour.isdigit() and minute.isdigit() and len(minute) == 2
            and len(hour) <= 2):
        return None
    if int(hour) > 23 or int(minute) > 59:
        return None
    return time(int(hour), int(minute))


def parse_periods(text: str | None) -> list[tuple[time, time]] | None:
    """"08.00-12.00, 13.00-16.00" → two periods; empty → closed; None when unreadable."""
    periods = []
    for part in (text or "").replace("–", "-").split(","):
        if not part.strip():
            continue
        opens, dash, closes = part.partition("-")
        start, end = parse_time(opens), parse_time(closes)
        if not dash or start is None or end is None:
            return None
        periods.append((start, end))
    return periods


def periods_text(periods: list[Period]) -> str:
    return ", ".join(f"{p.opens:%H.%M}-{p.closes:%H.%M}" for p in periods)


def parse_weekly(lines: dict[int, str | None]) -> dict[int, list[tuple[time, time]]]:
    """Every weekday's line read; HoursInvalid names each unreadable one."""
    parsed, errors = {}, {}
    for weekday, line in lines.items():
        periods = parse_periods(line)
        if periods is None:
            errors[f"day{weekday}"] = "time"
        else:
            parsed[weekday] = periods
    if errors:
        raise HoursInvalid(errors)
    return parsed


def parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
