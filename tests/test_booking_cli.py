"""`flask station-state`: the admin's decision that a station is broken moves people, visibly."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.domain import capacity
from app.models import OutboxMessage, Slot, utcnow
from tests.support.booking import book, elderly_nik, nik, office

pytestmark = pytest.mark.db


def _full_slot_next_week(session):
    porong = office(session)
    now = utcnow()
    capacity.ensure_slots(session, porong, "station", now)
    day = capacity.local_today(porong, now) + timedelta(days=7 - capacity.local_today(
        porong, now).weekday() + 1)  # Tuesday next week
    slot = next(v.slot for v in capacity.list_slots(session, porong, "station", day, day, now))
    for i in range(6):
        book(session, slot, elderly_nik(i + 1) if i >= 4 else nik(i + 1), now=now)
    session.commit()
    return slot


def test_station_down_moves_the_overflow_and_says_who(runner, session):
    slot = _full_slot_next_week(session)
    result = runner.invoke(args=["station-state", "351504-2", "down"])
    assert result.exit_code == 0, result.output
    assert "3 places per slot" in result.output
    assert result.output.count("moved ") == 3 and "message queued" in result.output
    session.expire_all()
    assert session.get(Slot, slot.id).booked == 3
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "moved")).all()) == 3
    check = runner.invoke(args=["booking-check"])
    assert check.exit_code == 0 and "counters match" in check.output
    assert "no unplaced bookings" in runner.invoke(args=["unplaced-bookings"]).output
    back = runner.invoke(args=["station-state", "351504-2", "active"])
    assert back.exit_code == 0 and "6 places per slot" in back.output


def test_an_unknown_station_or_state_is_refused(runner):
    assert runner.invoke(args=["station-state", "999999-9", "down"]).exit_code == 2
    assert runner.invoke(args=["station-state", "351504-1", "broken"]).exit_code == 2
