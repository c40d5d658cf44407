"""The lobby queue in the database: tickets per lane, desks per pool, a scripted day of calls,
skips and put-backs, where a ticket stands, and the API's walk-ins, queue and queue/next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.domain import capacity, queue
from app.domain.checkin import admit, check_in
from app.models import AuditEntry, Booking, Office, Ticket
from tests.support.receipt_bookings import (
    DATA_KEY,
    NIK,
    make_booking,
    make_slot,
    random_nik,
    today_at,
)

pytestmark = pytest.mark.db

NINE = today_at(9)


def arrive(session, *, at=NINE, slot=NINE, priority=False, service="pemula", walk_in=False):
    booking = make_booking(session, starts_at=slot, nik=random_nik(), service=service)
    booking.priority = priority
    session.add(booking)
    return admit(session, booking, "user:1", walk_in=walk_in, now=at)


def office(session) -> Office:
    return session.get(Office, "351504")


def number(ticket) -> str:
    return queue.display_number(ticket.lane, ticket.number) if ticket else None


def test_each_lane_counts_from_one_each_day(session):
    tickets = [arrive(session), arrive(session, priority=True), arrive(session, walk_in=True),
               arrive(session), arrive(session, walk_in=True)]
    assert [number(t) for t in tickets] == ["A-001", "P-001", "B-001", "A-002", "B-002"]
    tomorrow = arrive(session, at=NINE + timedelta(days=1), slot=NINE + timedelta(days=1))
    assert number(tomorrow) == "A-001"


def test_a_desk_calls_only_its_own_pool(session):
    reprint = arrive(session, service="rusak")
    recording = arrive(session)
    assert (reprint.pool, recording.pool) == ("counter", "station")
    at_station = queue.call_next(session, office(session), "351504-1", "user:1", NINE)
    at_counter = queue.call_next(session, office(session), "351504-L1", "user:1", NINE)
    assert (at_station.id, at_counter.id) == (recording.id, reprint.id)
    assert queue.call_next(session, office(session), "351504-2", "user:1", NINE) is None


def test_a_desk_of_another_office_is_refused(session):
    with pytest.raises(queue.QueueError) as error:
        queue.call_next(session, office(session), "737109-1", "user:1", NINE)
    assert error.value.code == "unknown_counter"


def test_a_scripted_morning_priority_burst_skip_put_back_and_early_arrival(session):
    desk = "351504-1"
    early = arrive(session, at=NINE - timedelta(minutes=20), slot=NINE + timedelta(minutes=30))
    booked = arrive(session)
    burst = [arrive(session, priority=True) for _ in range(4)]
    walk_in = arrive(session, walk_in=True)
    calls = []
    now = NINE
    for _ in range(4):
        calls.append(queue.call_next(session, office(session), desk, "user:1", now))
        now += timedelta(minutes=5)
    assert [number(t) for t in calls] == ["P-001", "P-002", "P-003", "A-002"]
    # P-004 is called and does not come: skipped; the desk goes on.
    absent = queue.call_next(session, office(session), desk, "user:1", now)
    assert absent.id == burst[3].id
    queue.recall(session, absent, "user:1", now + timedelta(minutes=1))
    assert absent.calls == 2
    queue.skip(session, absent, "user:1", now + timedelta(minutes=2))
    assert queue.call_next(session, office(session), desk, "user:1", now).id == walk_in.id
    # The early person's slot (09:30) has not come: the desk is idle, so takes them anyway.
    assert queue.call_next(session, office(session), desk, "user:1", now).id == early.id
    # P-004 turns up: back in line at their old place, called next.
    queue.put_back(session, absent, "user:1", now)
    assert queue.call_next(session, office(session), desk, "user:1", now).id == absent.id
    assert session.get(Ticket, booked.id, populate_existing=True).status == "done"
    assert queue.call_next(session, office(session), desk, "user:1", now) is None
    actions = [e.action for e in session.exec(select(AuditEntry).where(
        AuditEntry.action.like("queue.%")))]
    assert {"queue.call", "queue.recall", "queue.skip", "queue.put_back"} <= set(actions)


def test_a_skipped_ticket_comes_back_only_the_same_day(session):
    ticket = arrive(session)
    queue.call_next(session, office(session), "351504-1", "user:1", NINE)
    queue.skip(session, session.get(Ticket, ticket.id), "user:1", NINE)
    with pytest.raises(queue.QueueError) as error:
        queue.put_back(session, ticket, "user:1", NINE + timedelta(days=1))
    assert error.value.code == "not_today"


def test_sent_from_the_counter_to_a_recording_station(session):
    ticket = arrive(session, service="perubahan")
    queue.call_next(session, office(session), "351504-L1", "user:1", NINE)
    queue.send_to(session, ticket, "station", "user:1", NINE)
    assert (ticket.status, ticket.pool, ticket.counter) == ("waiting", "station", None)
    assert queue.call_next(session, office(session), "351504-1", "user:1", NINE).id == ticket.id


def test_where_a_ticket_stands_and_the_estimated_wait(session):
    tickets = [arrive(session) for _ in range(4)]
    place = queue.standing(session, tickets[2], NINE)
    assert (place.number, place.position) == ("A-003", 3)
    assert place.low < place.high and place.high % 5 == 0
    queue.call_next(session, office(session), "351504-1", "user:1", NINE)
    first = queue.standing(session, tickets[0], NINE)
    assert (first.position, first.counter_name) == (None, "Stasiun perekaman 1")
    assert queue.standing(session, tickets[1], NINE).position == 1


def test_each_place_told_is_the_place_in_the_line_the_desks_will_call(session):
    """standing() counts; queue.order() walks the rows: they agree for every waiting ticket,
    due or early, across lanes, after a run of priority calls."""
    early = [arrive(session, at=NINE - timedelta(minutes=40), slot=NINE + timedelta(minutes=m))
             for m in (30, 10)]
    now_due = [arrive(session, priority=p, walk_in=w, at=NINE - timedelta(minutes=m),
                      slot=NINE - timedelta(hours=1))
               for p, w, m in ((True, False, 30), (False, True, 25), (True, False, 20),
                               (True, False, 15), (False, False, 12), (True, False, 5))]
    ties = [arrive(session, priority=p, at=NINE - timedelta(minutes=40), slot=NINE + timedelta(
        minutes=50)) for p in (True, False)]  # not due yet: two lanes, one due time
    moment = NINE - timedelta(minutes=1)
    queue.call_next(session, office(session), "351504-1", "user:1", moment)
    waiting = [t for t in early + now_due + ties if session.get(Ticket, t.id).status == "waiting"]
    line = queue.order(queue._waiting(session, "351504", waiting[0].day, "station"),
                       queue._recent_lanes(session, "351504", waiting[0].day, "station"), moment)
    expected = {t.id: place for place, t in enumerate(line, 1)}
    told = {t.id: queue.standing(session, t, moment).position for t in waiting}
    assert told == expected, (told, expected, [(t.id, t.lane, t.number, t.due_at) for t in line])


def test_the_board_shows_calls_and_the_next_numbers_without_names(session):
    for _ in range(3):
        arrive(session)
    queue.call_next(session, office(session), "351504-2", "user:1", NINE)
    shown = queue.board(session, office(session), NINE)
    assert [(c.number, c.counter) for c in shown.calls] == [("A-001", "Stasiun perekaman 2")]
    assert shown.next_numbers == ["A-002", "A-003"]
    assert shown.waiting == {"P": 0, "A": 2, "B": 0}


def test_check_in_with_the_nik_and_the_ticket_is_in_lane_p_for_a_priority_visitor(session):
    booking = make_booking(session, starts_at=NINE)
    booking.priority = True
    ticket = check_in(session, booking, "user:1", NIK, NINE, data_key=DATA_KEY)
    assert (ticket.lane, booking.status) == ("P", "checked_in")


# --- the API ---------------------------------------------------------------------------------


def test_walk_in_over_the_api_takes_a_held_back_place_and_a_b_ticket(client, api_token, session):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    make_slot(session, now - timedelta(minutes=5))  # a slot under way, 2 of 6 held back
    open_today = not capacity.closed_days(session, office(session), capacity.local_today(
        office(session), now), capacity.local_today(office(session), now))
    session.commit()
    answer = client.post("/api/v1/offices/351504/walk-ins", headers=api_token("kiosk"),
                         json={"nik": random_nik(), "name": "Wati", "service": "pemula"})
    if not open_today:  # a holiday: no walk-ins, the next slots instead
        assert (answer.status_code, answer.json["error"]) == (409, "no_walk_in_capacity")
        return
    assert answer.status_code == 201, answer.json
    assert answer.json["ticket"]["queue"] == "B"
    assert answer.json["booking"]["status"] == "checked_in"
    assert answer.json["booking"]["channel"] == "kiosk"


def test_walk_in_with_no_place_left_today_offers_the_next_slots(client, api_token, session):
    # Sunday or late evening the office has no slot left today; otherwise fill today's slots.
    from app.models import Slot
    for slot in session.exec(select(Slot).where(Slot.office_code == "351504")):
        slot.booked = slot.capacity
        session.add(slot)
    session.commit()
    answer = client.post("/api/v1/offices/351504/walk-ins", headers=api_token("officer"),
                         json={"nik": random_nik(), "name": "Wati", "service": "pemula"})
    assert (answer.status_code, answer.json["error"]) == (409, "no_walk_in_capacity")
    assert answer.json["next_slots"] == []  # every place is taken in this test


def test_walk_in_refuses_bad_fields_with_422(client, api_token):
    answer = client.post("/api/v1/offices/351504/walk-ins", headers=api_token("kiosk"),
                         json={"nik": "123", "name": "", "service": "pemula"})
    assert answer.status_code == 422
    assert {"nik", "name"} <= set(answer.json["errors"])


def test_queue_next_calls_the_next_ticket_and_204_when_none(client, api_token, session):
    ticket = arrive(session, at=today_at(0), slot=today_at(0))
    code = session.get(Booking, ticket.booking_id).code
    session.commit()
    headers = api_token("officer")
    called = client.post("/api/v1/offices/351504/queue/next", headers=headers,
                         json={"counter": "351504-1"})
    assert called.status_code == 200, called.json
    assert called.json == {"ticket": "A-001", "counter": "351504-1", "booking_code": code}
    empty = client.post("/api/v1/offices/351504/queue/next", headers=headers,
                        json={"counter": "351504-1"})
    assert empty.status_code == 204
    unknown = client.post("/api/v1/offices/351504/queue/next", headers=headers,
                          json={"counter": "nope"})
    assert (unknown.status_code, unknown.json["error"]) == (422, "unknown_counter")
    shown = client.get("/api/v1/offices/351504/queue").json
    assert shown == {"serving": [], "waiting": {"P": 0, "A": 0, "B": 0}}


def test_the_public_queue_names_the_desks_serving_and_no_person(client, session):
    for _ in range(2):
        arrive(session, at=today_at(0), slot=today_at(0))
    queue.call_next(session, office(session), "351504-2", "user:1")
    session.commit()
    shown = client.get("/api/v1/offices/351504/queue")
    assert shown.json == {"serving": [{"ticket": "A-001", "counter": "351504-2"}],
                          "waiting": {"P": 0, "A": 1, "B": 0}}
    assert "Budi" not in shown.get_data(as_text=True)
