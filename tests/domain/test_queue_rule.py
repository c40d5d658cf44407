"""The lobby's fairness rule (app/domain/queue.py `choose`), on scripted days: who is called next
is a plain function of the waiting tickets, the desk's latest calls and the time."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from app.domain.queue import MAX_PRIORITY_RUN, Waiting, choose, order, wait_range

NINE = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 WIB
_ids = itertools.count(1)


def ticket(lane: str, number: int, due: int = 0) -> Waiting:
    """A ticket due `due` minutes after nine (negative: before)."""
    return Waiting(next(_ids), lane, number, NINE + timedelta(minutes=due))


def called(waiting, now=NINE, recent=()):
    return [(t.lane, t.number) for t in order(waiting, list(recent), now)]


def test_nobody_waiting_gives_nobody():
    assert choose([], [], NINE) is None


def test_priority_first_then_booked_then_walk_ins():
    line = [ticket("B", 1), ticket("A", 1), ticket("P", 1), ticket("A", 2)]
    assert called(line) == [("P", 1), ("A", 1), ("A", 2), ("B", 1)]


def test_a_priority_burst_lets_one_other_through_after_three_in_a_row():
    line = [ticket("P", n) for n in range(1, 7)] + [ticket("A", 1), ticket("B", 1)]
    assert called(line) == [("P", 1), ("P", 2), ("P", 3), ("A", 1), ("P", 4), ("P", 5),
                            ("P", 6), ("B", 1)]


def test_the_run_counts_the_desks_earlier_calls_too():
    line = [ticket("P", 9), ticket("A", 4)]
    assert choose(line, ["P"] * MAX_PRIORITY_RUN, NINE).lane == "A"
    assert choose(line, ["P", "P", "A", "P"], NINE).lane == "P"  # the run was broken


def test_a_priority_burst_with_nobody_else_waiting_is_served_without_pause():
    line = [ticket("P", n) for n in range(1, 6)]
    assert called(line, recent=["P"] * 5) == [("P", n) for n in range(1, 6)]


def test_empty_lanes_are_passed_over():
    assert called([ticket("B", 3), ticket("B", 1)]) == [("B", 1), ("B", 3)]
    assert called([ticket("A", 2)], recent=["P"] * 3) == [("A", 2)]


def test_an_early_booked_person_waits_for_their_slot_while_others_are_due():
    early = ticket("A", 1, due=30)  # booked for 09:30, checked in before nine
    walk_in = ticket("B", 1)
    assert choose([early, walk_in], [], NINE) == walk_in
    assert choose([early, walk_in], [], NINE + timedelta(minutes=30)) == early


def test_an_idle_desk_takes_an_early_person_rather_than_wait():
    early, earlier = ticket("A", 2, due=45), ticket("A", 1, due=15)
    assert choose([early, earlier], [], NINE) == earlier


def test_a_late_booked_person_queues_from_their_arrival_not_their_slot():
    # Booked 08:00, arrived 09:10 (due = arrival); booked 09:00 and on time (due = 09:00).
    late, punctual = ticket("A", 2, due=10), ticket("A", 1, due=0)
    assert called([late, punctual], now=NINE + timedelta(minutes=15)) == [("A", 1), ("A", 2)]


def test_a_skipped_ticket_put_back_keeps_its_old_place_in_its_lane():
    back = ticket("A", 1, due=-40)  # skipped at 08:20, back in line now
    line = [ticket("A", 5, due=-5), back, ticket("P", 2)]
    assert called(line) == [("P", 2), ("A", 1), ("A", 5)]


def test_the_same_inputs_always_give_the_same_ticket():
    line = [ticket("A", n, due=-n) for n in range(1, 5)]
    assert {choose(line, [], NINE).id for _ in range(20)} == {choose(line, [], NINE).id}


def _called_one_by_one(waiting, recent, now):
    left, recent, line = list(waiting), list(recent), []
    while left:
        chosen = choose(left, recent, now)
        line.append(chosen)
        left.remove(chosen)
        recent.insert(0, chosen.lane)
    return line


def test_the_whole_line_is_what_calling_one_by_one_gives():
    rng = random.Random(12)
    for _ in range(200):
        waiting = [ticket(rng.choice("PAB"), n, due=rng.randint(-60, 30))
                   for n in range(1, rng.randint(1, 25))]
        recent = [rng.choice("PAB") for _ in range(rng.randint(0, 5))]
        assert order(waiting, recent, NINE) == _called_one_by_one(waiting, recent, NINE)


def test_the_wait_is_a_range_in_five_minutes():
    assert wait_range(3, 10, 1) == (20, 40)  # 30 minutes expected
    assert wait_range(4, 10, 2) == (15, 25)
    assert wait_range(1, 2, 3) == (0, 5)
    low, high = wait_range(0, 10, 1)
    assert (low, high) == (0, 5)


def test_a_place_counted_from_lane_counts_is_the_place_in_the_whole_line():
    """position_in_line (what a check-in tells the person, from one grouped count) agrees with
    `order` over the rows themselves, for random lines, runs of priority calls and times."""
    from app.domain.queue import LANE_ORDER, position_in_line

    rng = random.Random(11)
    for _ in range(400):
        numbers = {lane: itertools.count(1) for lane in LANE_ORDER}
        waiting = [ticket(lane, next(numbers[lane]), rng.randrange(-90, 1))
                   for lane in rng.choices(LANE_ORDER, k=rng.randrange(1, 40))]
        recent = rng.choices(LANE_ORDER, k=rng.randrange(0, 5))
        line = order(waiting, recent, NINE)
        for place, target in enumerate(line, 1):
            others = [t for t in waiting if t is not target]
            due = {lane: sum(1 for t in others if t.lane == lane) for lane in LANE_ORDER}
            ahead = sum(1 for t in others if t.lane == target.lane
                        and (t.due_at, t.number) < (target.due_at, target.number))
            assert position_in_line(target.lane, ahead, due, recent) == place
