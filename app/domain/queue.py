"""The lobby queue (issue 12): tickets, the fairness rule, calling, and the estimated wait.

A ticket belongs to one pool (DESIGN §3: recording stations or document counters) and one lane:
`P` priority (60+ from the NIK, or a stated need but a companion), `A` booked and checked in,
`B` walk-in. Each desk (a Station row: a recording station or a loket) calls only tickets of its
own pool, so a reprint never waits behind the recordings.

Numbers are gapless per office, local day and lane: one UPDATE … RETURNING of the lane's
counter row, in the check-in's own transaction (a refused check-in gives its number back).
Calling is a conditional UPDATE on `status = 'waiting'`: two desks can never take one ticket.
"""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import case as sa_case
from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from ..models import Booking, Office, Slot, Station, Ticket, TicketCounter, utcnow
from . import audit, capacity

# After this many priority calls in a row a desk takes an A or B ticket if one waits: priority
# visitors go first, but a burst of them never stops the queue for everyone else.
MAX_PRIORITY_RUN = 3
LANE_ORDER = ("P", "A", "B")  # A before B: a booked place was promised, a walk-in hoped for one
ROLLING_SERVICES = 10  # the service time is the mean of the pool's last ten services today
CALL_ATTEMPTS = 20


class QueueError(Exception):
    """`code`: unknown_counter, not_called, wrong_state, not_today."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def display_number(lane: str, number: int) -> str:
    """`A-012`: the lane and a three-digit number, as printed and called."""
    return f"{lane}-{number:03d}"


def lane_for(booking: Booking, *, walk_in: bool) -> str:
    if booking.priority:
        return "P"
    return "B" if walk_in else "A"


# --- the fairness rule -----------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """What the rule knows of a waiting ticket (no person in it)."""

    id: int
    lane: str
    number: int
    due_at: datetime  # a booked person's slot start, or when they arrived if later


def _key(ticket: Waiting):
    return ticket.due_at, ticket.number


def _across_lanes(ticket: Waiting):
    """Tickets of different lanes in one order (the idle desk's, and after every due ticket):
    by due time, number, then lane, so that a place told is the place called."""
    return ticket.due_at, ticket.number, LANE_ORDER.index(ticket.lane)


def choose(waiting: Sequence[Waiting], recent_lanes: Sequence[str], now: datetime,
           max_priority_run: int = MAX_PRIORITY_RUN) -> Waiting | None:
    """The next ticket for a desk, by the documented fairness rule:

    1. Only tickets that are due: a booked person who comes early waits for their slot's time —
       unless no ticket is due at all; then the desk is idle and takes the earliest one.
    2. Priority (P) first, but after `max_priority_run` P-calls in a row (`recent_lanes`, the
       pool's latest calls first) the next call goes to A or B when one is due.
    3. A before B.
    4. Within a lane by due time, then number: a late booked person queues from their arrival,
       and a skipped ticket that the officer puts back keeps its old place.
    """
    if not waiting:
        return None
    due = [t for t in waiting if t.due_at <= now]
    if not due:
        return min(waiting, key=_across_lanes)
    by_lane = {lane: sorted((t for t in due if t.lane == lane), key=_key) for lane in LANE_ORDER}
    run = _priority_run(recent_lanes)
    lanes = list(LANE_ORDER)
    if run >= max_priority_run and (by_lane["A"] or by_lane["B"]):
        lanes.remove("P")
    for lane in lanes:
        if by_lane[lane]:
            return by_lane[lane][0]
    return None


def order(waiting: Sequence[Waiting], recent_lanes: Sequence[str], now: datetime,
          max_priority_run: int = MAX_PRIORITY_RUN) -> list[Waiting]:
    """The whole waiting line as `choose` would call it from now on (for positions and the
    board), in one pass over each lane sorted once: the same answer as calling `choose` again
    and again, without its cost growing with the square of the line."""
    due = {lane: sorted((t for t in waiting if t.lane == lane and t.due_at <= now), key=_key)
           for lane in LANE_ORDER}
    later = sorted((t for t in waiting if t.due_at > now), key=_across_lanes)
    queues = {lane: iter(tickets) for lane, tickets in due.items()}
    line = [next(queues[lane]) for lane in _lanes_called(
        {lane: len(tickets) for lane, tickets in due.items()}, recent_lanes, max_priority_run)]
    return line + later  # then the idle desk's rule: the earliest of those not yet due


def _priority_run(recent_lanes: Sequence[str]) -> int:
    """How many of the pool's latest calls in a row went to the priority lane."""
    run = 0
    for lane in recent_lanes:
        if lane != "P":
            break
        run += 1
    return run


def _lanes_called(due_per_lane: dict[str, int], recent_lanes: Sequence[str],
                  max_priority_run: int) -> Iterator[str]:
    """The lane of each call, in turn, until the due tickets run out: P first but never more
    than `max_priority_run` in a row while A or B wait, A before B. `order` and
    `position_in_line` both walk this, over rows and over counts."""
    left = dict(due_per_lane)
    run = _priority_run(recent_lanes)
    while any(left.values()):
        others = left["A"] > 0 or left["B"] > 0
        lane = next(name for name in LANE_ORDER if left[name] > 0
                    and not (name == "P" and run >= max_priority_run and others))
        yield lane
        left[lane] -= 1
        run = run + 1 if lane == "P" else 0


def position_in_line(lane: str, ahead_in_lane: int, due_per_lane: dict[str, int],
                     recent_lanes: Sequence[str],
                     max_priority_run: int = MAX_PRIORITY_RUN) -> int:
    """Where a due ticket stands in `order`'s line (1 = next), from counts alone: the due
    tickets of each lane (itself not counted) and how many of its own lane are before it.
    The same walk as `order`, over numbers instead of rows, so a check-in does not read the
    whole waiting line to tell one person their place (issue 12)."""
    counts = {name: due_per_lane.get(name, 0) for name in LANE_ORDER}
    counts[lane] += 1  # the ticket itself
    calls_of_its_lane = 0
    for position, chosen in enumerate(_lanes_called(counts, recent_lanes, max_priority_run), 1):
        if chosen == lane:
            if calls_of_its_lane == ahead_in_lane:
                return position
            calls_of_its_lane += 1
    raise ValueError("more tickets before it than its lane holds")


# --- tickets -----------------------------------------------------------------------------------


def _next_number(session: Session, office_code: str, day: date, lane: str) -> int:
    """One gapless number: make sure the lane's row exists, then one UPDATE … RETURNING."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(TicketCounter).values(
        office_code=office_code, day=day, lane=lane, last_number=0).on_conflict_do_nothing())
    return session.execute(
        update(TicketCounter)
        .where(TicketCounter.office_code == office_code, TicketCounter.day == day,
               TicketCounter.lane == lane)
        .values(last_number=TicketCounter.last_number + 1)
        .returning(TicketCounter.last_number)
        .execution_options(synchronize_session=False)).scalar_one()


def issue_ticket(session: Session, booking: Booking, *, walk_in: bool, now: datetime) -> Ticket:
    """The ticket of a person who has just arrived (checked in, or a walk-in)."""
    office = session.get(Office, booking.office_code)
    slot = session.get(Slot, booking.slot_id)
    day = capacity.local_today(office, now)
    lane = lane_for(booking, walk_in=walk_in)
    ticket = Ticket(public_id=secrets.token_urlsafe(16), booking_id=booking.id,
                    office_code=office.code, day=day, lane=lane,
                    number=_next_number(session, office.code, day, lane),
                    pool=capacity.pool_for(booking.service), due_at=max(now, slot.starts_at),
                    created_at=now)
    session.add(ticket)
    session.flush()
    return ticket


def ticket_of(session: Session, booking_id: int) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.booking_id == booking_id)).first()


def by_public_id(session: Session, public_id: str) -> Ticket | None:
    if not public_id or len(public_id) > 32:
        return None
    return session.exec(select(Ticket).where(Ticket.public_id == public_id)).first()


def _waiting(session: Session, office_code: str, day: date, pool: str) -> list[Waiting]:
    rows = session.execute(select(Ticket.id, Ticket.lane, Ticket.number, Ticket.due_at).where(
        Ticket.office_code == office_code, Ticket.day == day, Ticket.pool == pool,
        Ticket.status == "waiting"))
    return [Waiting(*row) for row in rows]


@functools.cache
def _position_statement():
    """Built once (building it cost more than running it): per lane and due-or-not, how many
    others wait in the pool and how many of them come before the ticket (`_across_lanes`)."""
    due_at, number = sa.bindparam("due_at", type_=Ticket.due_at.type), sa.bindparam("number")
    rank = sa_case({lane: n for n, lane in enumerate(LANE_ORDER)}, value=Ticket.lane)
    before = (Ticket.due_at < due_at) | ((Ticket.due_at == due_at) & (Ticket.number < number)) \
        | ((Ticket.due_at == due_at) & (Ticket.number == number) & (rank < sa.bindparam("rank")))
    is_due = Ticket.due_at <= sa.bindparam("now", type_=Ticket.due_at.type)
    return (select(Ticket.lane, is_due, func.count(), func.sum(sa_case((before, 1), else_=0)))
            .where(Ticket.office_code == sa.bindparam("office"), Ticket.day == sa.bindparam("day"),
                   Ticket.pool == sa.bindparam("pool"), Ticket.status == "waiting",
                   Ticket.id != sa.bindparam("id"))
            .group_by(Ticket.lane, is_due))


def _position(session: Session, ticket: Ticket, now: datetime) -> int:
    """The ticket's place in `order`'s line from one grouped count of the others waiting in its
    pool: per lane, due or not, how many and how many before it."""
    rows = session.execute(_position_statement(), {
        "office": ticket.office_code, "day": ticket.day, "pool": ticket.pool, "id": ticket.id,
        "due_at": ticket.due_at, "number": ticket.number,
        "rank": LANE_ORDER.index(ticket.lane), "now": now}).all()
    due = {lane: total for lane, due_now, total, _ahead in rows if due_now}
    if ticket.due_at > now:  # after every due ticket, then by due time across lanes
        return sum(due.values()) + sum(int(ahead or 0) for _lane, due_now, _total, ahead
                                       in rows if not due_now) + 1
    ahead = next((int(a or 0) for lane, due_now, _t, a in rows
                  if due_now and lane == ticket.lane), 0)
    return position_in_line(ticket.lane, ahead, due,
                            _recent_lanes(session, ticket.office_code, ticket.day, ticket.pool))


def _recent_lanes(session: Session, office_code: str, day: date, pool: str,
                  limit: int = MAX_PRIORITY_RUN) -> list[str]:
    return list(session.exec(select(Ticket.lane).where(
        Ticket.office_code == office_code, Ticket.day == day, Ticket.pool == pool,
        Ticket.called_at.is_not(None)).order_by(Ticket.called_at.desc(), Ticket.id.desc())
        .limit(limit)))


def desk(session: Session, office_code: str, counter: str) -> Station:
    """The desk (a recording station or a loket) by its code, in this office; else refused."""
    found = session.exec(select(Station).where(Station.code == counter)).first()
    if found is None or found.office_code != office_code:
        raise QueueError("unknown_counter")
    return found


def desks(session: Session, office_code: str) -> list[Station]:
    return list(session.exec(select(Station).where(Station.office_code == office_code)
                             .order_by(Station.pool.desc(), Station.code)))


def call_next(session: Session, office: Office, counter: str, actor: str,
              now: datetime | None = None) -> Ticket | None:
    """The desk's current ticket is done; the next of its pool by the fairness rule is called
    to it. None when nobody waits. Never the same ticket to two desks: the claim is
    conditional on the ticket still waiting, and a lost claim chooses again."""
    now = now or utcnow()
    station = desk(session, office.code, counter)
    day = capacity.local_today(office, now)
    session.execute(update(Ticket).where(
        Ticket.office_code == office.code, Ticket.counter == station.code,
        Ticket.status == "called").values(status="done", done_at=now)
        .execution_options(synchronize_session=False))
    for _attempt in range(CALL_ATTEMPTS):
        chosen = choose(_waiting(session, office.code, day, station.pool),
                        _recent_lanes(session, office.code, day, station.pool), now)
        if chosen is None:
            return None
        claimed = session.execute(update(Ticket).where(
            Ticket.id == chosen.id, Ticket.status == "waiting").values(
            status="called", counter=station.code, called_at=now, calls=Ticket.calls + 1)
            .execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            ticket = session.get(Ticket, chosen.id)
            session.refresh(ticket)
            audit.record(session, actor, "queue.call", f"ticket:{ticket.id}",
                         f"{display_number(ticket.lane, ticket.number)} counter={station.code}")
            return ticket
    raise QueueError("busy")


def _change(session: Session, ticket: Ticket, from_status: str, **values) -> None:
    result = session.execute(update(Ticket).where(Ticket.id == ticket.id,
                                                  Ticket.status == from_status)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise QueueError("wrong_state")
    session.refresh(ticket)


def recall(session: Session, ticket: Ticket, actor: str, now: datetime | None = None) -> Ticket:
    """Announce a called ticket again (the board chimes once more)."""
    _change(session, ticket, "called", called_at=now or utcnow(), calls=Ticket.calls + 1)
    audit.record(session, actor, "queue.recall", f"ticket:{ticket.id}")
    return ticket


def skip(session: Session, ticket: Ticket, actor: str, now: datetime | None = None) -> Ticket:
    """The called person did not come: set aside; the officer may put the ticket back today."""
    _change(session, ticket, "called", status="skipped", skipped_at=now or utcnow())
    audit.record(session, actor, "queue.skip", f"ticket:{ticket.id}")
    return ticket


def put_back(session: Session, ticket: Ticket, actor: str, now: datetime | None = None) -> Ticket:
    """A skipped person turned up: back in the line at their old place, the same day only."""
    now = now or utcnow()
    office = session.get(Office, ticket.office_code)
    if ticket.day != capacity.local_today(office, now):
        raise QueueError("not_today")
    _change(session, ticket, "skipped", status="waiting", counter=None, skipped_at=None)
    audit.record(session, actor, "queue.put_back", f"ticket:{ticket.id}")
    return ticket


def send_to(session: Session, ticket: Ticket, pool: str, actor: str,
            now: datetime | None = None) -> Ticket:
    """From the desk that has it to the line of a pool (documents checked → recording station,
    or the other way), keeping the person's place by when they became due."""
    if pool not in ("station", "counter"):
        raise QueueError("wrong_state")
    _change(session, ticket, "called", status="waiting", pool=pool, counter=None)
    audit.record(session, actor, "queue.send", f"ticket:{ticket.id}", f"pool={pool}")
    return ticket


# --- where a ticket stands -------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    ticket: Ticket
    number: str
    position: int | None  # 1 = next; None once called, done or skipped
    low: int | None  # estimated wait in minutes, as a range
    high: int | None
    counter_name: str | None  # where to go once called


def service_minutes(session: Session, office: Office, day: date, pool: str) -> float:
    """The pool's rolling service time today, or the office's setting before any service."""
    rows = session.execute(select(Ticket.called_at, Ticket.done_at).where(
        Ticket.office_code == office.code, Ticket.day == day, Ticket.pool == pool,
        Ticket.status == "done", Ticket.done_at.is_not(None))
        .order_by(Ticket.done_at.desc()).limit(ROLLING_SERVICES)).all()
    spans = [(done - called).total_seconds() / 60 for called, done in rows if called and done]
    if spans:
        return max(1.0, sum(spans) / len(spans))
    return float(capacity.minutes_per_visit(office, pool))


def open_desks(session: Session, office_code: str, pool: str) -> int:
    return max(1, capacity.active_units(session, office_code, pool))


def wait_range(ahead: int, minutes: float, desks_open: int) -> tuple[int, int]:
    """An honest range, in whole 5 minutes: people ahead × service time ÷ open desks, ±25 %."""
    expected = ahead * minutes / desks_open
    low = int(math.floor(expected * 0.75 / 5) * 5)
    high = int(math.ceil(expected * 1.25 / 5) * 5)
    return low, max(high, low + 5)


def standing(session: Session, ticket: Ticket, now: datetime | None = None) -> Standing:
    now = now or utcnow()
    number = display_number(ticket.lane, ticket.number)
    if ticket.status != "waiting":
        name = None
        if ticket.counter:
            found = session.exec(select(Station.name).where(Station.code == ticket.counter)).first()
            name = found or ticket.counter
        return Standing(ticket, number, None, None, None, name)
    office = session.get(Office, ticket.office_code)
    position = _position(session, ticket, now)
    # Everyone ahead plus the services under way at the desks: about `position` services.
    low, high = wait_range(position, service_minutes(session, office, ticket.day, ticket.pool),
                           open_desks(session, office.code, ticket.pool))
    if position == 1:
        low = 0
    return Standing(ticket, number, position, low, high, None)


# --- the call board --------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    number: str
    counter: str  # the desk's name, as the board says it
    called_at: datetime
    calls: int
    counter_code: str = ""  # the desk's station code, as the API names it


@dataclass(frozen=True)
class Board:
    calls: list[Call]  # being served now, newest call first
    next_numbers: list[str]  # the next few, all pools, in call order per pool
    waiting: dict[str, int]  # per lane


def board(session: Session, office: Office, now: datetime | None = None,
          next_count: int = 5) -> Board:
    now = now or utcnow()
    day = capacity.local_today(office, now)
    names = {s.code: s.name for s in desks(session, office.code)}
    calls = [Call(display_number(lane, number), names.get(counter, counter or ""), called_at,
                  calls, counter or "")
             for lane, number, counter, called_at, calls in session.execute(
                 select(Ticket.lane, Ticket.number, Ticket.counter, Ticket.called_at,
                        Ticket.calls).where(Ticket.office_code == office.code,
                                            Ticket.day == day, Ticket.status == "called")
                 .order_by(Ticket.called_at.desc()))]
    waiting = {lane: 0 for lane in LANE_ORDER}
    upcoming = []
    for pool in ("station", "counter"):
        line = order(_waiting(session, office.code, day, pool),
                     _recent_lanes(session, office.code, day, pool), now)
        for ticket in line:
            waiting[ticket.lane] += 1
        upcoming.extend(line[:next_count])
    upcoming.sort(key=_key)
    return Board(calls, [display_number(t.lane, t.number) for t in upcoming[:next_count]],
                 waiting)


def counts_waiting(session: Session, office: Office, now: datetime | None = None) -> dict:
    day = capacity.local_today(office, now or utcnow())
    counts = dict.fromkeys(LANE_ORDER, 0)
    for lane, n in session.execute(select(Ticket.lane, func.count()).where(
            Ticket.office_code == office.code, Ticket.day == day, Ticket.status == "waiting")
            .group_by(Ticket.lane)):
        counts[lane] = n
    return counts


def desk_tickets(session: Session, office: Office, now: datetime | None = None) -> list[Ticket]:
    """Today's tickets of the office, for the officer's queue screen (no person in them)."""
    day = capacity.local_today(office, now or utcnow())
    return list(session.exec(select(Ticket).where(Ticket.office_code == office.code,
                                                  Ticket.day == day)
                             .order_by(Ticket.lane, Ticket.number)))
