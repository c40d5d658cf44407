"""Capacity from real stations: hours, holidays, zones, the held-back share, a station breaking."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from app.domain import booking as bookings
from app.domain import capacity
from app.domain.stations import set_station_state
from app.models import Booking, Closure, OutboxMessage, Slot, UnplacedBooking
from tests.support.booking import MONDAY_MORNING, book, elderly_nik, nik, office, slot_at, tuesday

pytestmark = pytest.mark.db


def test_two_stations_take_six_people_per_half_hour_and_hold_two_back(session):
    porong = office(session)
    assert capacity.slot_capacity(porong, "station", 2) == (6, 2)  # 30 % of 6 = 1.8 → 2
    assert capacity.slot_capacity(porong, "counter", 2) == (4, 1)  # 15-minute counter visits
    assert capacity.slot_capacity(porong, "station", 0) == (0, 0)


def test_the_held_back_share_rounds_half_up(session):
    porong = office(session)
    porong.held_back_percent = 50
    assert capacity.slot_capacity(porong, "station", 1) == (3, 2)  # 1.5 → 2, not banker's 2
    porong.held_back_percent = 30
    porong.recording_minutes = 6
    assert capacity.slot_capacity(porong, "station", 1) == (5, 2)  # 1.5 → 2


def test_a_weekday_has_sixteen_slots_and_saturday_eight(session):
    porong = office(session)
    monday = capacity.planned_times(session, porong, date(2026, 11, 30), date(2026, 11, 30))
    saturday = capacity.planned_times(session, porong, date(2026, 11, 28), date(2026, 11, 28))
    sunday = capacity.planned_times(session, porong, date(2026, 11, 29), date(2026, 11, 29))
    assert len(monday) == 16 and len(saturday) == 8 and sunday == []
    # 08:00 WIB is 01:00 UTC.
    assert monday[0] == (datetime(2026, 11, 30, 1, 0, tzinfo=UTC),
                         datetime(2026, 11, 30, 1, 30, tzinfo=UTC))


def test_christmas_and_its_collective_leave_are_closed(session):
    porong = office(session)
    closed = capacity.closed_days(session, porong, date(2026, 12, 21), date(2026, 12, 31))
    assert date(2026, 12, 25) in closed
    assert date(2026, 12, 24) in closed  # cuti bersama (the holidays package's "government")
    assert capacity.planned_times(session, porong, date(2026, 12, 24), date(2026, 12, 25)) == []


def test_a_closure_entered_by_the_admin_closes_the_day(session):
    session.add(Closure(office_code="351504", day=date(2026, 12, 2), reason="Rapat kerja"))
    session.flush()
    porong = office(session)
    assert capacity.planned_times(session, porong, date(2026, 12, 2), date(2026, 12, 2)) == []


def test_slots_exist_once_for_the_horizon_however_often_they_are_ensured(session):
    porong = office(session)
    created = capacity.ensure_slots(session, porong, "station", MONDAY_MORNING)
    assert created > 300
    assert capacity.ensure_slots(session, porong, "station", MONDAY_MORNING) == 0
    last = session.exec(select(Slot).where(Slot.office_code == "351504")
                        .order_by(Slot.starts_at.desc())).first()
    assert capacity.local(porong, last.starts_at).date() <= date(2026, 12, 23)


def test_wita_slots_carry_plus_eight_hours(session):
    panakkukang = office(session, "737109")
    slot = slot_at(session, "737109", tuesday(), time(8))
    assert capacity.local(panakkukang, slot.starts_at).isoformat() == "2026-11-24T08:00:00+08:00"
    assert slot.starts_at == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert (slot.capacity, slot.held_back) == (3, 1)  # one station


def test_ordinary_bookers_see_only_the_open_share_until_it_is_released(session):
    porong = office(session)
    slot = slot_at(session, "351504", tuesday(), time(10))
    view = capacity.availability(porong, slot, MONDAY_MORNING)
    assert (view.remaining, view.remaining_priority) == (4, 2)
    for i in range(4):
        book(session, slot, nik(i + 1))
    session.refresh(slot)
    assert capacity.availability(porong, slot, MONDAY_MORNING) == capacity.Availability(0, 2)
    with pytest.raises(bookings.BookingError) as refused:
        book(session, slot, nik(5))
    assert refused.value.code == "slot_full"
    book(session, slot, elderly_nik(6))  # a priority visitor takes a held-back place
    session.refresh(slot)
    assert capacity.availability(porong, slot, MONDAY_MORNING) == capacity.Availability(0, 1)
    # Two hours before the slot what is still held back is open to everyone.
    release = slot.starts_at - timedelta(hours=2)
    assert capacity.availability(porong, slot, release) == capacity.Availability(1, 0)
    book(session, slot, nik(7), now=release)
    session.refresh(slot)
    assert (slot.booked, slot.booked_priority) == (6, 1)
    assert bookings.counter_drift(session) == []


def test_priority_visitors_use_the_held_back_share_before_the_open_one(session):
    porong = office(session)
    slot = slot_at(session, "351504", tuesday(), time(11))
    book(session, slot, nik(1), needs=["wheelchair"])
    book(session, slot, nik(2), needs=["companion"])  # a companion alone is not priority
    session.refresh(slot)
    # 6 places: the open 4 lost one (the companion's), the held-back 2 lost one (wheelchair's).
    assert capacity.availability(porong, slot, MONDAY_MORNING) == capacity.Availability(3, 1)


def test_walk_ins_on_the_day_may_take_held_back_places_but_online_closes_an_hour_before(session):
    porong = office(session)
    today_slot = slot_at(session, "351504", date(2026, 11, 23), time(14))
    noon = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 13:30 WIB, half an hour before
    assert capacity.availability(porong, today_slot, noon) == capacity.Availability(0, 6)
    with pytest.raises(bookings.BookingError) as refused:
        book(session, today_slot, nik(1), now=noon)
    assert refused.value.code == "slot_unavailable"
    walk_in = book(session, today_slot, nik(1), channel="kiosk", now=noon)
    assert walk_in.held_share and not walk_in.priority


def test_slot_list_leaves_out_full_slots_and_closed_days(session):
    porong = office(session)
    capacity.ensure_slots(session, porong, "station", MONDAY_MORNING)
    slot = slot_at(session, "351504", tuesday(), time(8))
    slot.booked = 6
    session.add(slot)
    session.flush()
    views = capacity.list_slots(session, porong, "station", tuesday(), tuesday(), MONDAY_MORNING)
    assert slot.id not in [v.slot.id for v in views] and len(views) == 15
    christmas = capacity.list_slots(session, porong, "station", date(2026, 12, 24),
                                    date(2026, 12, 25), MONDAY_MORNING)
    assert christmas == []


def _fill_week(session):
    """Tuesday–Thursday 08:00–09:00 of the first week full: 6 a slot, some priority."""
    slots = [slot_at(session, "351504", tuesday() + timedelta(days=d), time(h, m))
             for d in range(3) for h, m in ((8, 0), (8, 30))]
    serial = 1
    for slot in slots:
        for i in range(6):
            number = elderly_nik(serial) if i in (3, 5) else nik(serial)
            book(session, slot, number, phone="+6281234567890" if i % 2 else None)
            serial += 1
    return slots


def test_a_station_down_mid_week_moves_exactly_the_overflow_priority_first(session):
    slots = _fill_week(session)
    result = set_station_state(session, "351504-1", "down", "cli", now=MONDAY_MORNING)
    assert result.capacity == 3
    # Each full slot of 6 now takes 3: 3 moved from each of the 6 slots, all placed nearby.
    assert len(result.moved) == 18 and result.unplaced == []
    for slot in slots:
        session.refresh(slot)
        kept = session.exec(select(Booking).where(Booking.slot_id == slot.id,
                                                  Booking.status == "booked")).all()
        assert slot.booked == 3 == len(kept)
        assert sum(b.priority for b in kept) == 2  # both priority visitors kept their place
    assert bookings.counter_drift(session) == []
    for move in result.moved:
        assert move.new_slot.id not in [s.id for s in slots]
        history = session.exec(select(Booking).where(Booking.code == move.booking.code,
                                                     Booking.status == "moved")).one()
        assert history.replaced_by_id == move.booking.id and history.slot_id == move.old_slot.id
        message = session.exec(select(OutboxMessage).where(
            OutboxMessage.booking_id == move.booking.id, OutboxMessage.kind == "moved")).one()
        assert move.booking.code[:4] in message.body and message.status == "pending"
    # The first moved were booked earliest; they went to the nearest free slot: 09:00 Tuesday.
    first = result.moved[0]
    assert capacity.local(office(session), first.new_slot.starts_at).time() == time(9)


def test_a_station_down_with_no_room_left_lists_who_could_not_be_moved(session):
    porong = office(session)
    porong.booking_horizon_days = 1
    session.add(porong)
    session.flush()
    slot = slot_at(session, "351504", tuesday(), time(15, 30))  # the last slot of the horizon
    for i in range(6):
        book(session, slot, elderly_nik(i + 1) if i > 3 else nik(i + 1))
    others = session.exec(select(Slot).where(Slot.office_code == "351504",
                                             Slot.pool == "station", Slot.id != slot.id)).all()
    for other in others:  # every other place of the horizon is taken
        other.booked = other.capacity
        session.add(other)
    session.flush()
    result = set_station_state(session, "351504-2", "maintenance", "cli", now=MONDAY_MORNING)
    assert len(result.unplaced) == 3 and result.moved == []
    listed = session.exec(select(UnplacedBooking).where(UnplacedBooking.office_code == "351504"))
    assert len(listed.all()) == 3
    # They keep their place and their booking: nobody silently dropped.
    assert all(b.status == "booked" and b.slot_id == slot.id for b, _ in result.unplaced)


def test_a_station_back_in_service_restores_capacity(session):
    slot = slot_at(session, "351504", tuesday(), time(9))
    set_station_state(session, "351504-1", "down", "cli", now=MONDAY_MORNING)
    session.refresh(slot)
    assert slot.capacity == 3
    set_station_state(session, "351504-1", "active", "cli", now=MONDAY_MORNING)
    session.refresh(slot)
    assert (slot.capacity, slot.held_back) == (6, 2)
