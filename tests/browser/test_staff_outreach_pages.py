"""The staff room, outreach visits and the coverage dashboard in a real browser (issue 14):
zero axe violations in their main states (320 px and wide), keyboard only, and every form
working without JavaScript."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import WIDTHS, assert_accessible
from tests.support.niks import fresh_nik

DESA = "3515041003"  # the live desa_staff user's desa
TABLE = Path(__file__).resolve().parents[1] / "data" / "porong-2021-coverage.csv"


@pytest.fixture(scope="module")
def outreach_world(server_env, live_server):
    """A visit in DESA with three residents, and the Porong 2021 table, in the live database."""
    from flask import current_app

    from app import create_app
    from app.db import database
    from app.domain import capacity, coverage, outreach
    from app.models import Booking, Office, utcnow

    app = create_app({"INSTANCE_PATH": server_env["INSTANCE_PATH"],
                      "DATABASE_URL": server_env["DATABASE_URL"]})
    with app.app_context():
        with database().session(write=True) as session:
            office = session.get(Office, "351504")
            day = capacity.local_today(office, utcnow()) + timedelta(days=5)
            while capacity.closed_days(session, office, day, day):
                day += timedelta(days=1)
            visit = outreach.plan_visit(session, office=office, desa_code=DESA,
                                        place="Balai Desa Porong", day=day, starts=time(8),
                                        ends=time(12), stations=2, actor="test")
            rows = "".join(f"{fresh_nik()},Warga Uji {i},,present\n" for i in range(3))
            key = current_app.config["DATA_KEY"]
            report = outreach.import_residents(session, visit, "nik,name,phone,consent\n" + rows,
                                               key=key.encode(), data_key=key, actor="test")
            coverage.import_table(session, office, 2021, TABLE.read_text(), actor="test")
            session.commit()
            code = report.booked[0]
            name = session.exec(select(Booking).where(Booking.code == code)).one().name
        database().dispose()
    return {"visit": visit.id, "code": code, "name": name}


STAFF_PAGES = ["/staff/", "/staff/?status=booked", "/staff/daftar", "/staff/daftar?layanan=pemula",
               "/staff/keliling"]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_staff_page_has_no_accessibility_violations(new_page, staff_login, outreach_world,
                                                          width):
    page = new_page(width=width)
    staff_login(page, "desa_staff")
    for path in [*STAFF_PAGES, f"/staff/keliling/{outreach_world['visit']}",
                 f"/staff/booking/{outreach_world['code']}"]:
        page.goto(path)
        assert_accessible(page)
    page.goto("/staff/daftar?layanan=pemula")
    page.click("main form.narrow-form button[type=submit]")  # nothing filled in: the error state
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_outreach_pages_and_coverage_dashboard_have_no_violations(
        new_page, staff_login, outreach_world, width):
    page = new_page(width=width)
    staff_login(page, "admin")
    for path in ("/admin/keliling", f"/admin/keliling/{outreach_world['visit']}",
                 "/admin/cakupan", f"/staff/?desa={DESA}"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/admin/cakupan")
    expect(page.locator("svg.chart rect")).to_have_count(15)
    expect(page.locator(".data-table tbody tr")).to_have_count(15)


def test_booking_on_behalf_by_keyboard_only(new_page, staff_login, outreach_world):
    page = new_page(width=1280)
    staff_login(page, "desa_staff")
    page.goto("/staff/daftar?layanan=pemula")
    page.focus("#slot")
    page.keyboard.press("ArrowDown")  # the first slot offered
    page.keyboard.press("Tab")
    page.keyboard.type(fresh_nik())
    page.keyboard.press("Tab")
    page.keyboard.type("Tini Keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the phone stays empty; on to the consent group
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_text("Tini Keyboard")).to_be_visible()
    assert "/staff/booking/" in page.url


def test_the_staff_forms_work_without_javascript(new_page, staff_login, outreach_world,
                                                 tmp_path):
    page = new_page(width=320, javascript=False)
    staff_login(page, "desa_staff")
    page.goto("/staff/daftar")
    page.check("input[name=layanan][value=pemula]")
    page.click("main form.narrow-form button[type=submit]")
    page.select_option("#slot", index=1)
    page.fill("#nik", fresh_nik())
    page.fill("#name", "Tanpa Skrip")
    page.check("input[name=consent][value=written]")
    page.click("main form.narrow-form button[type=submit]")
    expect(page.get_by_text("Tanpa Skrip")).to_be_visible()
    page.goto(f"/staff/keliling/{outreach_world['visit']}")
    upload = tmp_path / "warga.csv"
    upload.write_text(f"nik,name,phone,consent\n{fresh_nik()},Warga Berkas,,phone\n1,X,,present\n")
    page.set_input_files("#file", str(upload))
    page.click("form[enctype] button[type=submit]")
    expect(page.get_by_text("Terdaftar: 1")).to_be_visible()
    expect(page.get_by_text("Baris 2")).to_be_visible()
    page.fill(f"#delivered_by-{outreach_world['code']}", "Bu RT")
    page.click(f"#u-{outreach_world['code']} button[type=submit]")
    expect(page.get_by_text("Diserahkan oleh Bu RT")).to_be_visible()
    page.goto("/staff/?status=booked")
    expect(page.get_by_text("Warga Berkas")).to_be_visible()
