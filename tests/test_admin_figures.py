"""Figures (issue 15 §8): per day and month, per channel and desa, as tables, an SVG chart and
CSV; each measure counted on its own event's day in the office's zone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

import pytest

from app.domain import booking as bookings
from app.domain import figures
from tests.support.booking import MONDAY_MORNING, book, nik, office, slot_at, tuesday

pytestmark = pytest.mark.db


def _week(session):
    slot = slot_at(session, "351504", tuesday(), time(9))
    web = book(session, slot, nik(1))
    kiosk = book(session, slot, nik(2), channel="officer", desa_code="3515041004")
    book(session, slot, nik(3), desa_code=None)
    bookings.cancel_booking(session, book(session, slot, nik(4)), "citizen", now=MONDAY_MORNING)
    web.status, web.checked_in_at = "recorded", datetime(2026, 11, 24, 2, 10, tzinfo=UTC)
    web.recorded_at = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    kiosk.status, kiosk.no_show_at = "no_show", datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    session.add_all([web, kiosk])
    session.commit()
    return slot


def test_figures_count_each_event_on_its_day_per_channel_and_per_desa(session):
    _week(session)
    found = figures.figures(session, office(session), date(2026, 11, 23), date(2026, 11, 29))
    assert found.totals["2026-11-24"] == {"bookings": 3, "checked_in": 1, "recorded": 1,
                                          "no_show": 1}
    assert found.groups["officer"]["no_show"] == 1 and found.groups["web"]["bookings"] == 2
    by_desa = figures.figures(session, office(session), date(2026, 11, 1), date(2026, 11, 30),
                              period="month", group="desa")
    assert by_desa.periods == ["2026-11"] and by_desa.totals["2026-11"]["bookings"] == 3
    assert by_desa.groups[figures.OUTSIDE]["bookings"] == 1
    assert by_desa.group_names["3515041004"] != "3515041004"


def test_the_figures_page_draws_a_chart_and_exports_the_same_numbers(client, session, page,
                                                                   login_as):
    _week(session)
    login_as("admin")
    query = "period=day&group=channel&first=2026-11-23&last=2026-11-29"
    shown = page(client, f"/admin/351504/figures?{query}")
    assert shown.select_one("svg.chart[role=img] title") is not None
    assert len(shown.select("svg.chart rect.bar")) == 14  # 7 days × 2 measures
    row = shown.select_one("tbody tr:nth-of-type(2)")
    assert [c.get_text() for c in row.find_all(["th", "td"])] == ["2026-11-24", "3", "1", "1",
                                                                  "1", "0"]
    exported = client.get(f"/admin/351504/figures.csv?{query}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == ["day", *figures.MEASURES] and rows[2] == ["2026-11-24", "3", "1", "1",
                                                                 "1", "0"]
    assert page(client, "/admin/351504/figures?period=day&group=channel&first=besok",
                status=422).select(".error-summary a")[0]["href"] == "#first"
    assert client.get("/admin/737109/figures").status_code == 403
