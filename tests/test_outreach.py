"""Outreach visits (issue 14): planned as capacity of their own, filled from a CSV file row by
row, idempotent per NIK, no-shows moved to the next visit."""

from __future__ import annotations

import logging
from datetime import date, time

import pytest
from sqlmodel import select

from app.domain import booking as bookings
from app.domain import outreach
from app.domain.errors import ValidationError
from app.models import AuditEntry, Booking, Invitation, Office, Slot
from tests.support.booking import DATA_KEY, MONDAY_MORNING, nik

pytestmark = pytest.mark.db

DESA = "3515042001"  # Kebonagung
THURSDAY = date(2026, 11, 26)
KEY = DATA_KEY.decode()


def plan(session, day=THURSDAY, starts=time(8), ends=time(12), stations=3, desa=DESA):
    return outreach.plan_visit(
        session, office=session.get(Office, "351504"), desa_code=desa,
        place="Balai Desa Kebonagung", place_kind="balai_desa", day=day, starts=starts,
        ends=ends, stations=stations, actor="user:1", now=MONDAY_MORNING)


def csv_of(rows) -> str:
    return "nik,name,phone,consent\n" + "".join(",".join(r) + "\n" for r in rows)


def fifty_rows_five_bad(first_serial=101):
    rows = [(nik(first_serial + i), f"Warga {i}", "0812345678" + f"{i:02d}"[-2:], "present")
            for i in range(45)]
    bad = [("35150412030", "Pendek", "", "present"),            # NIK too short
           (nik(first_serial + 90), "", "", "phone"),            # no name
           (nik(first_serial + 91), "Tanpa Izin", "", "nanti"),  # consent not recorded
           (nik(first_serial + 92), "HP Salah", "12", "written"),  # not a phone number
           (nik(first_serial + 93), "Kurang Kolom", "present")]  # a column missing
    return rows[:20] + bad + rows[20:]


def test_a_planned_visit_is_bookable_capacity_of_its_own(session):
    visit = plan(session)
    slots = outreach.visit_slots(session, visit.id)
    assert len(slots) == 8  # 08:00–12:00 in 30-minute slots
    assert {(s.pool, s.capacity, s.held_back) for s in slots} == {("mobile", 9, 0)}
    # Not the office's calendar: the public slot list of the station pool does not show them.
    assert not session.exec(select(Slot).where(Slot.pool == "station",
                                               Slot.id.in_([s.id for s in slots]))).all()


def test_planning_refuses_bad_input_and_a_second_team_at_the_same_time(session):
    plan(session)
    with pytest.raises(ValidationError) as refused:
        plan(session, starts=time(10), ends=time(13), desa="3515041003")
    assert refused.value.errors == {"start": "overlap"}
    with pytest.raises(ValidationError) as refused:
        plan(session, day=date(2027, 3, 1), starts=time(12), ends=time(8), stations=0,
             desa="9999999999")
    assert set(refused.value.errors) == {"desa_code", "date", "end", "stations"}


def test_fifty_rows_with_five_bad_book_45_and_report_5_and_a_second_import_books_nobody(
        session, caplog):
    visit = plan(session)
    text = csv_of(fifty_rows_five_bad())
    with caplog.at_level(logging.DEBUG):
        report = outreach.import_residents(session, visit, text, key=DATA_KEY, data_key=KEY,
                                           actor="user:1", now=MONDAY_MORNING)
    assert len(report.booked) == 45 and report.already == 0
    assert report.refused == [(21, {"nik": "length"}), (22, {"name": "empty"}),
                              (23, {"consent": "required"}), (24, {"phone": "invalid"}),
                              (25, {"row": "columns"})]
    made = session.exec(select(Booking).where(Booking.code.in_(report.booked))).all()
    assert {(b.channel, b.consent, b.desa_code, b.status) for b in made} == {
        ("desa_staff", "present", DESA, "booked")}
    assert len(session.exec(select(Invitation).where(Invitation.visit_id == visit.id)).all()) == 45

    again = outreach.import_residents(session, visit, text, key=DATA_KEY, data_key=KEY,
                                      actor="user:1", now=MONDAY_MORNING)
    assert (again.booked, again.already, len(again.refused)) == ([], 45, 5)
    assert sum(s.booked for s in outreach.visit_slots(session, visit.id)) == 45
    # No NIK in a log line or the audit log.
    logged = caplog.text + " ".join(e.detail + e.subject for e in session.exec(select(AuditEntry)))
    assert nik(101) not in logged and nik(101)[:12] not in logged


def test_a_resident_booked_elsewhere_is_refused_not_counted_as_already(session):
    visit, other = plan(session), plan(session, day=date(2026, 11, 27), desa=DESA)
    outreach.import_residents(session, other, csv_of([(nik(500), "Sri", "", "present")]),
                              key=DATA_KEY, data_key=KEY, actor="user:1", now=MONDAY_MORNING)
    report = outreach.import_residents(session, visit, csv_of([(nik(500), "Sri", "", "present")]),
                                       key=DATA_KEY, data_key=KEY, actor="user:1",
                                       now=MONDAY_MORNING)
    assert report.refused == [(1, {"nik": "already_booked"})] and report.already == 0


def test_a_full_visit_refuses_the_rest_row_by_row(session):
    visit = plan(session, starts=time(8), ends=time(8, 30), stations=1)  # 3 places
    rows = [(nik(600 + i), f"Warga {i}", "", "written") for i in range(5)]
    report = outreach.import_residents(session, visit, csv_of(rows), key=DATA_KEY, data_key=KEY,
                                       actor="user:1", now=MONDAY_MORNING)
    assert len(report.booked) == 3
    assert report.refused == [(4, {"visit": "full"}), (5, {"visit": "full"})]


def test_a_file_with_the_wrong_header_books_nobody(session):
    visit = plan(session)
    with pytest.raises(ValidationError) as refused:
        outreach.import_residents(session, visit, f"nik,nama\n{nik(700)},Sri\n", key=DATA_KEY,
                                  data_key=KEY, actor="user:1", now=MONDAY_MORNING)
    assert refused.value.errors == {"file": "header"}
    assert sum(s.booked for s in outreach.visit_slots(session, visit.id)) == 0


def test_the_visit_report_and_moving_no_shows_to_the_next_visit(session):
    from datetime import UTC, datetime

    visit = plan(session)
    following = plan(session, day=date(2026, 12, 3))
    rows = [(nik(800 + i), f"Warga {i}", "", "present") for i in range(3)]
    report = outreach.import_residents(session, visit, csv_of(rows), key=DATA_KEY, data_key=KEY,
                                       actor="user:1", now=MONDAY_MORNING)
    came, stayed_away, unknown = (session.exec(select(Booking).where(Booking.code == c)).one()
                                  for c in report.booked)
    outreach.record_delivery(session, visit, came.code, delivered_by="Pak RT 02",
                             actor="user:1", now=MONDAY_MORNING)
    session.execute(Booking.__table__.update().where(Booking.id == came.id)
                    .values(status="recorded", recorded_at=MONDAY_MORNING))
    outreach.record_absence(session, visit, stayed_away.code, "sick", actor="user:1")
    after_visit = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    moved = outreach.move_no_shows(session, visit, following, data_key=KEY, actor="user:1",
                                   now=after_visit)
    assert len(moved.moved) == 2 and moved.not_moved == []
    summary = outreach.visit_report(session, visit)
    assert (summary.invited, summary.delivered, summary.came, summary.recorded,
            summary.absent) == (3, 1, 1, 1, 2)
    assert summary.reasons == {"sick": 1, "unknown": 1}
    assert {p.booking.code for p in outreach.invited(session, following)} == set(moved.moved)
    new = session.exec(select(Booking).where(Booking.code.in_(moved.moved))).all()
    assert {b.nik_hash for b in new} == {stayed_away.nik_hash, unknown.nik_hash}
    assert bookings.has_active_booking(session, stayed_away.nik_hash)


def test_a_long_file_is_committed_in_steps_and_a_file_cut_short_is_simply_imported_again(
        session):
    visit = plan(session, ends=time(16), stations=10)  # 480 places
    rows = [(nik(1000 + i), f"Warga {i}", "", "present") for i in range(450)]
    steps = []
    first = outreach.import_residents(session, visit, csv_of(rows[:250]), key=DATA_KEY,
                                      data_key=KEY, actor="user:1", now=MONDAY_MORNING,
                                      checkpoint=lambda: steps.append(len(steps)))
    assert len(first.booked) == 250 and steps == [0]  # after row 199
    whole = outreach.import_residents(session, visit, csv_of(rows), key=DATA_KEY, data_key=KEY,
                                      actor="user:1", now=MONDAY_MORNING)
    assert (len(whole.booked), whole.already, whole.refused) == (200, 250, [])
    too_long = "nik,name,phone,consent\n" + "x,y,,present\n" * (outreach.MAX_ROWS + 1)
    with pytest.raises(ValidationError):
        outreach.import_residents(session, visit, too_long, key=DATA_KEY, data_key=KEY,
                                  actor="user:1", now=MONDAY_MORNING)
