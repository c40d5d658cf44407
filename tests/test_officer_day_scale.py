"""The day list at scale (issue 13): an office with 2,000 bookings today is shown with the same
number of SQL statements as one with ten, and the route costs at most twice the template alone
over the same rows (tests/bench/day_list.py, also a `make bench` case)."""

from __future__ import annotations

import pytest

from tests.bench.day_list import day_list_timings, seed_day
from tests.support.statements import counting

pytestmark = pytest.mark.db

# GET /officer/ warm: the staff session, the office, the day (one query, tickets joined in), the
# kiosks' open help calls, the capture alarms — none of them grows with the day.
BUDGET = 5


def _count(app, client) -> tuple[int, str, str]:
    client.get("/officer/")  # warm
    with counting(app) as seen:
        answer = client.get("/officer/")
    assert answer.status_code == 200
    return len(seen), seen.report(), answer.get_data(as_text=True)


def test_the_day_list_uses_as_many_statements_for_2000_bookings_as_for_10(
        app, client, session, login_as):
    login_as("officer")
    seed_day(session, bookings=10)
    session.commit()
    few, few_report, _ = _count(app, client)
    seed_day(session, bookings=1990)
    session.commit()
    many, many_report, html = _count(app, client)
    assert html.count("<tr>") == 2001  # the header row and every booking
    assert many == few, f"10 bookings:\n{few_report}\n2000 bookings:\n{many_report}"
    assert many <= BUDGET, many_report


def test_the_day_list_renders_within_twice_the_template_over_rows_in_memory(
        app, client, session, login_as):
    login_as("officer")
    seed_day(session, bookings=2000)
    session.commit()
    timings = day_list_timings(app, client, rounds=3)
    assert timings["rows"] == 2000
    assert timings["ratio"] <= 2, timings
