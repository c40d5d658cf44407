"""Admin hours (issue 15 §2): weekly hours, extra sessions and closures replan the office's
slots; a closure moves the bookings it hits, priority visitors first, queues their messages and
lists who could not be placed with their phones; a settings change that shrinks capacity does
the same (§1)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from app.domain import hours, office_settings, replan
from app.models import Booking, OutboxMessage, Slot, UnplacedBooking
from tests.support.booking import MONDAY_MORNING, book, elderly_nik, nik, office, slot_at

pytestmark = pytest.mark.db

SUNDAY_EVENING = MONDAY_MORNING - timedelta(hours=12)  # 19:00 in Porong
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)


def _small_office(session, now=SUNDAY_EVENING, recording_minutes=30):
    """Porong (two stations) with two places a slot, nothing held back, Monday and Tuesday
    08:00–09:00 only."""
    values = {**office_settings.settings_of(office(session)),
              "recording_minutes": recording_minutes,
              "held_back_percent": 0, "booking_horizon_days": 2}
    office_settings.update_settings(session, "351504", values, "user:1", now=now)
    hours.set_weekly_hours(session, "351504", {0: [(time(8), time(9))],
                                               1: [(time(8), time(9))]}, "user:1", now=now)


def _settings(session, **changes):
    return {**office_settings.settings_of(office(session)), **changes}


def _current(session, booking):
    return session.exec(select(Booking).where(Booking.code == booking.code,
                                              Booking.status != "moved")).one()


def test_closing_a_day_moves_its_bookings_priority_first_and_lists_who_found_no_place(session):
    _small_office(session)
    monday_8 = slot_at(session, "351504", MONDAY, time(8), now=SUNDAY_EVENING)
    monday_830 = slot_at(session, "351504", MONDAY, time(8, 30), now=SUNDAY_EVENING)
    tuesday_8 = slot_at(session, "351504", TUESDAY, time(8), now=SUNDAY_EVENING)
    tuesday_830 = slot_at(session, "351504", TUESDAY, time(8, 30), now=SUNDAY_EVENING)
    assert (monday_8.capacity, monday_8.held_back) == (2, 0)
    for serial in (1, 2, 3):  # Monday: one place left
        book(session, monday_8 if serial < 3 else monday_830, nik(serial), now=SUNDAY_EVENING)
    early = [book(session, tuesday_8, nik(10 + i), phone="+6281234567890", now=SUNDAY_EVENING)
             for i in range(2)]
    later = book(session, tuesday_830, nik(20), now=SUNDAY_EVENING)
    elder = book(session, tuesday_830, elderly_nik(21), now=SUNDAY_EVENING)
    assert elder.priority and not later.priority

    closure, outcome = hours.add_closure(session, "351504", TUESDAY, "Pelatihan petugas",
                                         "user:1", now=SUNDAY_EVENING)

    assert [m.booking.code for m in outcome.moved] == [elder.code]
    assert _current(session, elder).slot_id == monday_830.id
    assert {b.code for b, _slot in outcome.unplaced} == {early[0].code, early[1].code,
                                                          later.code}
    assert session.exec(select(OutboxMessage).where(
        OutboxMessage.booking_id == _current(session, elder).id,
        OutboxMessage.kind == "moved")).one().body.count("tutup") == 1
    listed = replan.open_unplaced(session, "351504")
    assert {row.booking.code for row in listed} == {early[0].code, early[1].code, later.code}
    assert {row.booking.phone for row in listed} >= {"+6281234567890"}
    session.refresh(tuesday_8)
    assert tuesday_8.capacity == 0  # the closed day takes nobody new

    hours.remove_closure(session, "351504", closure.id, "user:1", now=SUNDAY_EVENING)
    session.refresh(tuesday_8)
    assert tuesday_8.capacity == 2


def test_a_settings_change_that_shrinks_capacity_says_how_many_and_moves_them(session):
    _small_office(session, recording_minutes=15)
    monday_8 = slot_at(session, "351504", MONDAY, time(8), now=SUNDAY_EVENING)
    first, second, third = (book(session, monday_8, nik(s), now=SUNDAY_EVENING)
                            for s in (1, 2, 3))

    change = office_settings.update_settings(
        session, "351504", _settings(session, recording_minutes=30), "user:1",
        now=SUNDAY_EVENING)

    assert change.changed == {"recording_minutes": (15, 30)}
    assert [m.booking.code for m in change.replan.moved] == [third.code]  # earliest kept
    assert _current(session, first).slot_id == monday_8.id
    session.refresh(monday_8)
    assert (monday_8.capacity, monday_8.booked) == (2, 2)


def test_a_longer_slot_keeps_bookings_on_the_new_grid_and_moves_the_rest(session):
    _small_office(session)
    monday_830 = slot_at(session, "351504", MONDAY, time(8, 30), now=SUNDAY_EVENING)
    moved = book(session, monday_830, nik(5), now=SUNDAY_EVENING)

    change = office_settings.update_settings(
        session, "351504", _settings(session, slot_minutes=60),
        "user:1", now=SUNDAY_EVENING)

    new_slot = session.get(Slot, _current(session, moved).slot_id)
    assert [m.booking.code for m in change.replan.moved] == [moved.code]
    assert new_slot.ends_at - new_slot.starts_at == timedelta(hours=1)
    session.refresh(monday_830)
    assert monday_830.capacity == 0


def test_an_extra_evening_session_adds_bookable_slots(session):
    extra, outcome = hours.add_extra_session(session, "351504", date(2026, 11, 26), time(17),
                                             time(19), "Malam untuk pekerja", "user:1",
                                             now=MONDAY_MORNING)
    evening = slot_at(session, "351504", date(2026, 11, 26), time(18), now=MONDAY_MORNING)
    assert evening.capacity == 6 and outcome.slots_created >= 4
    hours.remove_extra_session(session, "351504", extra.id, "user:1", now=MONDAY_MORNING)
    session.refresh(evening)
    assert evening.capacity == 0


def test_settings_are_validated_field_by_field(session):
    with pytest.raises(office_settings.SettingsInvalid) as refused:
        office_settings.update_settings(
            session, "351504", _settings(session, slot_minutes="abc", held_back_percent=140,
                                         counter_minutes=50, card_print_place="rumah"),
            "user:1")
    assert refused.value.errors == {"slot_minutes": "number", "held_back_percent": "range",
                                    "card_print_place": "unknown"}


def test_a_closure_needs_a_reason_and_a_day_in_the_horizon(session):
    with pytest.raises(hours.HoursInvalid) as refused:
        hours.add_closure(session, "351504", date(2026, 1, 1), "", "user:1",
                          now=MONDAY_MORNING)
    assert refused.value.errors == {"day": "past", "reason": "required"}
    assert not session.exec(select(UnplacedBooking)).all()
