"""The IKM report for the admin (issue 17): page, PDF (the table and the grade in its text),
CSV and XLSX with the same figures, and the drivers beside the index."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.domain import ikm, ikm_drivers
from app.models import MisconductReport
from tests.support.receipt_bookings import make_booking

pytestmark = pytest.mark.db

NOW = datetime.now(UTC)
# The worked example of tests/domain/test_ikm.py: IKM 475/6 = 79.17, B.
WORKED = [
    (4, 3, 3, 4, 3, 3, 4, 3, 3),
    (3, 3, 2, 4, 3, 4, 4, 3, 3),
    (3, 2, 3, 3, 3, 3, 3, 2, 3),
    (4, 3, 3, 4, 4, 3, 4, 3, 2),
]


def _answered(session, rows=WORKED, office="351504", extra_tokens=0):
    for row in rows:
        [token] = ikm.issue_survey_tokens(session, office, now=NOW)
        ikm.submit_response(session, token, dict(zip(ikm.DEFAULT_ELEMENTS, row, strict=True)),
                            servqual={("tangibles", "expectation"): 5,
                                      ("tangibles", "perception"): 3}, now=NOW)
    if extra_tokens:
        ikm.issue_survey_tokens(session, office, count=extra_tokens, now=NOW)
    session.commit()


def _query() -> str:
    month = ikm.month_of(NOW, "Asia/Jakarta")
    return f"?kantor=351504&periode=bulan&tahun={month.year}&ke={month.month}"


def test_the_admin_reads_the_index_grade_and_a_warning_when_too_few_answered(
        client, session, login_as, page):
    _answered(session, extra_tokens=96)  # 100 people served, 4 answered: the table asks 80
    login_as("admin")
    report = page(client, "/admin/ikm/" + _query())
    assert "79,17" in report.text and "Baik" in report.text
    assert "4 jawaban" in report.text
    assert "sedikitnya 80 jawaban" in report.text
    assert "−2,00" in report.text  # tangibles: perception 3 − expectation 5
    quarter = page(client, "/admin/ikm/?kantor=351504&periode=triwulan&tahun="
                   f"{NOW.year}&ke={(ikm.month_of(NOW, 'Asia/Jakarta').month + 2) // 3}")
    assert "79,17" in quarter.text
    page(client, "/admin/ikm/?kantor=351504&periode=triwulan&tahun=2026&ke=5", status=404)


def test_an_officer_cannot_read_the_report(client, login_as):
    login_as("officer")
    assert client.get("/admin/ikm/").status_code == 403


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) missing")
def test_the_pdf_report_holds_the_element_table_the_index_and_the_grade(
        client, session, login_as, tmp_path):
    _answered(session)
    login_as("admin")
    response = client.get("/admin/ikm/laporan.pdf" + _query())
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (tmp_path / "r.pdf").write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Laporan Indeks Kepuasan Masyarakat" in text
    for name, mean in (("Persyaratan", "3,50"), ("Biaya/tarif", "3,75"),
                       ("Sarana dan prasarana", "2,75")):
        line = next(line for line in text.splitlines() if name in line)
        assert mean in line
    assert "79,17" in text
    assert "Mutu pelayanan: B (Baik)" in " ".join(text.split())


def test_csv_and_xlsx_open_with_the_same_figures(client, session, login_as):
    _answered(session)
    login_as("admin")
    csv_response = client.get("/admin/ikm/laporan.csv" + _query())
    assert csv_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    xlsx = client.get("/admin/ikm/laporan.xlsx" + _query())
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]

    def same(a, b) -> bool:
        try:
            return Decimal(str(a)).quantize(Decimal("0.01")) == \
                Decimal(str(b)).quantize(Decimal("0.01"))
        except ArithmeticError:
            return str(a) == str(b)

    figures = [r for r in rows if r]
    assert len(figures) == len([r for r in cells if any(v != "" for v in r)])
    for row_csv, row_xlsx in zip(figures, [r for r in cells if any(v != "" for v in r)],
                                 strict=True):
        assert all(same(a, b) for a, b in zip(row_csv, row_xlsx, strict=False)), (row_csv,
                                                                                   row_xlsx)
    by_key = {r[0]: r for r in figures}
    assert by_key["ikm"][1] == "79.17" and by_key["mutu"][1] == "B"
    assert by_key["U4"][1:5] == ["biaya", "Biaya/tarif", "4", "3.75"]


def test_the_drivers_are_measured_from_what_the_bookings_recorded(session):
    now = datetime(2026, 11, 20, 7, tzinfo=UTC)  # a moved clock: 14.00 WIB
    start = now - timedelta(hours=3)
    for minutes_waiting, minutes_recording, nik_serial in ((10, 8, 1), (20, 12, 2), (50, 9, 3)):
        booking = make_booking(session, starts_at=start, nik=f"351504120307{nik_serial:04d}")
        booking.status = "recorded"
        booking.checked_in_at = start
        booking.in_capture_at = start + timedelta(minutes=minutes_waiting)
        booking.recorded_at = booking.in_capture_at + timedelta(minutes=minutes_recording)
        session.add(booking)
    missed = make_booking(session, starts_at=start, nik="3515041203070004")
    missed.status = "no_show"
    session.add(MisconductReport(reference="LPR-AAAAAA", submission_id="s1", office_code="351504",
                                 event_date=now.date(), kind="money", description="x",
                                 created_at=now - timedelta(days=4)))
    session.add(MisconductReport(reference="LPR-BBBBBB", submission_id="s2", office_code="351504",
                                 event_date=now.date(), kind="money", description="y",
                                 status="closed", created_at=now - timedelta(days=1)))
    session.flush()
    month = ikm.month_of(start, "Asia/Jakarta")
    figures = ikm_drivers.drivers(session, "351504", ikm.Period("month", month.year,
                                                                month.month), now=now)
    assert (figures.wait.count, figures.wait.p50, figures.wait.p90) == (3, 20, 50)
    assert (figures.service.p50, figures.service.p90) == (9, 12)
    assert (figures.no_shows.no_shows, figures.no_shows.due) == (1, 4)
    assert figures.complaints.received == 2 and figures.complaints.answered == 1
    assert figures.complaints.open_oldest_days == 4
    # no outage in the history: up the whole period so far (the outage case: test_integrate_rooms)
    assert figures.stations.stations == 2 and figures.stations.uptime == 1


def test_people_served_are_the_slips_issued_or_the_visits_checked_in_whichever_is_more(session):
    now = datetime(2026, 11, 20, 7, tzinfo=UTC)
    november = ikm.Period("month", 2026, 11)
    ikm.issue_survey_tokens(session, "351504", count=3, now=now)
    assert ikm.population_served(session, "351504", november) == 3
    for serial in range(1, 6):
        booking = make_booking(session, starts_at=now, nik=f"351504120307{serial:04d}")
        booking.status, booking.checked_in_at = "checked_in", now
        session.add(booking)
    session.flush()
    assert ikm.population_served(session, "351504", november) == 5
    # 17.30 UTC on 30 November is 00.30 WIB on 1 December: a December visit in Porong.
    late = make_booking(session, starts_at=now, nik="3515041203070009")
    late.status, late.checked_in_at = "checked_in", datetime(2026, 11, 30, 17, 30, tzinfo=UTC)
    session.add(late)
    session.flush()
    assert ikm.population_served(session, "351504", november) == 5
    assert ikm.population_served(session, "351504", ikm.Period("month", 2026, 12)) == 1
