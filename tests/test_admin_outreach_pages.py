"""The admin's outreach and coverage pages (issue 14): plan a visit, its report and PDF, move
no-shows; upload the coverage table and read the dashboard (table + server-rendered SVG)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.models import OutreachVisit
from tests.test_outreach_api import open_day
from tests.test_verify import pdf_text

pytestmark = pytest.mark.db

PORONG_TABLE = (Path(__file__).parent / "data" / "porong-2021-coverage.csv").read_bytes()


def plan_form(session, **extra):
    return {"desa_code": "3515041003", "place": "SDN Porong 1", "place_kind": "school",
            "day": open_day(session).isoformat(), "start": "8:00", "end": "11.00",
            "stations": "2", **extra}


def test_an_admin_plans_a_visit_and_prints_its_report(client, login_as, session, tmp_path):
    login_as("admin")
    answer = client.post("/admin/keliling", data=plan_form(session))
    assert answer.status_code == 303, answer.get_data(as_text=True)[-3000:]
    visit = session.exec(select(OutreachVisit).where(OutreachVisit.place == "SDN Porong 1")).one()
    assert (visit.stations, visit.place_kind, str(visit.starts), str(visit.ends)) == (
        2, "school", "08:00:00", "11:00:00")
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200 and "Laporan kegiatan" in page.get_data(as_text=True)
    report = client.get(f"/admin/keliling/{visit.id}/laporan.pdf")
    assert report.mimetype == "application/pdf"
    assert "Laporan Kegiatan Perekaman Keliling" in pdf_text(report.data, tmp_path)


def test_a_bad_plan_is_shown_again_with_every_error(client, login_as, session):
    login_as("admin")
    answer = client.post("/admin/keliling", data=plan_form(
        session, start="25:00", stations="x", day=(open_day(session) + timedelta(days=400))
        .isoformat()))
    assert answer.status_code == 422
    summary = BeautifulSoup(answer.get_data(as_text=True), "html.parser").select(
        ".error-summary li a")
    assert {a["href"] for a in summary} >= {"#day", "#end", "#stations"}


def test_the_coverage_upload_reports_the_porong_problems_and_draws_the_dashboard(
        client, login_as):
    login_as("admin")
    answer = client.post("/admin/cakupan", data={
        "file": (io.BytesIO(PORONG_TABLE), "porong-2021.csv"), "year": "2021"},
        content_type="multipart/form-data")
    assert answer.status_code == 200
    page = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    problems = [li.get_text(" ", strip=True) for li in page.select(".report-list li")]
    assert len(problems) == 10
    assert any(p.startswith("Baris 2 – Porong") and "1084" in p for p in problems)
    assert any(p.startswith("Baris 8 – Siring") for p in problems)
    rows = page.select(".data-table tbody tr")
    assert len(rows) == 15 and rows[0].th.get_text(strip=True) == "Kedungsolo"
    bars = page.select("svg.chart rect")
    assert len(bars) == 15  # one bar per row of the table
    assert page.select_one("svg.chart")["aria-labelledby"] == "chart-title"
    refused = client.post("/admin/cakupan", data={
        "file": (io.BytesIO(b"x,y\n1,2\n"), "t.csv"), "year": "2021"},
        content_type="multipart/form-data")
    assert refused.status_code == 422


def test_desa_staff_see_their_own_desas_coverage_row(client, login_as):
    login_as("admin")
    client.post("/admin/cakupan", data={"file": (io.BytesIO(PORONG_TABLE), "p.csv"),
                                        "year": "2021"}, content_type="multipart/form-data")
    client.post("/logout")
    login_as("desa_staff", desa_code="3515042001")
    text = BeautifulSoup(client.get("/staff/").get_data(as_text=True), "html.parser").get_text(" ")
    assert "Wajib KTP: 6043" in text and "belum rekam menurut tabel: 274" in text
    assert client.get("/admin/cakupan").status_code == 403
