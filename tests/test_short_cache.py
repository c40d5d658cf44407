"""The public slot list is kept a few seconds per process, but never hides this process's writes."""

from datetime import date, time, timedelta

from app.domain.nik import today_in
from app.models import Slot, utcnow
from tests.support.booking import book, nik, slot_at


def next_week_tuesday() -> date:
    """A working day inside the booking horizon, whatever day the suite runs."""
    today = today_in("Asia/Jakarta")
    return today + timedelta(days=7 + (1 - today.weekday()) % 7)


def _remaining(client, day, slot_id):
    answer = client.get(f"/api/v1/offices/351504/slots?from={day}&to={day}").json
    return next(s["remaining"] for s in answer if s["id"] == slot_id)


def test_a_booking_shows_in_the_slot_list_at_once(client, session):
    day = next_week_tuesday()
    slot = slot_at(session, "351504", day, time(9), now=utcnow())
    session.commit()
    before = _remaining(client, day, slot.id)
    book(session, slot, nik(701), now=utcnow())
    session.commit()
    assert _remaining(client, day, slot.id) == before - 1


def test_an_unchanged_list_is_answered_from_the_cache(client, session, app):
    day = next_week_tuesday()
    slot = slot_at(session, "351504", day, time(10), now=utcnow())
    session.commit()
    first = client.get(f"/api/v1/offices/351504/slots?from={day}&to={day}").get_data()
    # A write nobody in this process committed (another worker's) is not seen for a moment.
    session.connection().execute(Slot.__table__.update().where(Slot.id == slot.id)
                                 .values(booked=Slot.booked + 1))
    assert client.get(f"/api/v1/offices/351504/slots?from={day}&to={day}").get_data() == first
