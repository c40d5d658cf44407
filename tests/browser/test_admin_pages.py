"""The admin room in a real browser (issue 15): zero axe violations on every admin page in its
main states, form errors included; a closure entered by keyboard only; every form works with
JavaScript off."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, WIDTHS, assert_accessible, settle
from tests.conftest import TEST_PASSWORD
from tests.support.live_server import cli

OFFICE = "351504"
A = f"/admin/{OFFICE}"


def _workday(days_ahead: int) -> str:
    day = date.today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


@pytest.fixture(scope="module")
def kabupaten_login(server_env, live_server):
    """An admin of all offices (no --office): reads the misconduct reports."""
    cli(server_env, "users", "add", "live-kabupaten", "--role", "admin", "--password-stdin",
        stdin=TEST_PASSWORD + "\n")

    def login(page):
        page.goto("/login")
        page.fill("#username", "live-kabupaten")
        page.fill("#password", TEST_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/admin/")

    return login


def _admin(new_page, staff_login, width=320, javascript=True):
    page = new_page(width=width, javascript=javascript)
    staff_login(page, "admin")
    page.wait_for_url("**/admin/")
    return page


def _submit(page, form_css="main form[method=post]"):
    page.click(f"{form_css} button[type=submit]")
    settle(page)


PAGES = ["/admin/", f"{A}/", f"{A}/status", f"{A}/settings", f"{A}/hours", f"{A}/stations",
         f"{A}/people", f"{A}/inbox", f"{A}/figures", f"{A}/audit", f"{A}/outbox",
         f"{A}/outbox?status=failed", f"{A}/figures?period=month&group=desa"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_admin_page_has_no_accessibility_violations(new_page, staff_login, width, lang):
    page = _admin(new_page, staff_login, width)
    for path in PAGES:
        page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)


# Each: (page, what to fill, the form) → the page with its error summary.
ERRORS = {
    "settings": (f"{A}/settings", {"#slot_minutes": "tiga", "#counter_minutes": "0"},
                 "main form[method=post]"),
    "weekly": (f"{A}/hours", {"#weekly-day1": "jam delapan"}, "form[action$='/hours/weekly']"),
    "closure": (f"{A}/hours", {"#closure-day": "", "#closure-reason": ""},
                "form[action$='/hours/closures']"),
    "extra": (f"{A}/hours", {"#extra-note": ""}, "form[action$='/hours/extra']"),
    "user": (f"{A}/people", {"#user-username": "X", "#user-password": "pendek"},
             "form[action$='/people/users']"),
    "token": (f"{A}/people", {}, "form[action$='/people/tokens']"),
    "status": (f"{A}/status", {"#message": "<b>tutup</b>"}, "main form[method=post]"),
    "blangko": (f"{A}/settings", {"#blangko-count": "nol"}, "form[action$='/settings/blangko']"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_admin_forms_with_errors_have_no_accessibility_violations(new_page, staff_login, case):
    path, values, form = ERRORS[case]
    page = _admin(new_page, staff_login)
    page.goto(path)
    for selector, value in values.items():
        page.fill(selector, value)
    _submit(page, form)
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.title().startswith("Kesalahan")
    assert_accessible(page)


def test_a_kiosk_paired_and_revoked_has_no_accessibility_violations(new_page, staff_login):
    page = _admin(new_page, staff_login)
    page.goto(f"{A}/people")
    page.fill("#kiosk-name", "Anjungan uji axe")
    _submit(page, "form[action$='/people/kiosks']")
    expect(page.locator("#kiosk-paired")).to_contain_text("/kiosk/pair/")
    assert_accessible(page)
    page.click("#kiosks a:has-text('Anjungan uji axe')")
    expect(page.locator("h1")).to_contain_text("Anjungan uji axe")
    assert_accessible(page)
    _submit(page)
    expect(page.locator("#kiosks")).to_contain_text("dicabut")
    page.goto(f"{A}/settings")
    page.fill("#blangko-count", "5")
    _submit(page, "form[action$='/settings/blangko']")
    expect(page.locator("#blangko .notice-ok")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("case", ["audit", "figures"])
def test_filters_with_a_bad_date_have_no_accessibility_violations(new_page, staff_login, case):
    page = _admin(new_page, staff_login)
    page.goto(f"{A}/{case}?first=kemarin&period=day&group=channel")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)


def _check(page, javascript: bool) -> None:
    """axe runs in the page: only where JavaScript is on."""
    if javascript:
        assert_accessible(page)


def _tab_to(page, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_a_closure_is_entered_by_keyboard_only(new_page, staff_login):
    page = _admin(new_page, staff_login, width=1280)
    page.goto(f"{A}/hours")
    _tab_to(page, "#closure-day")
    year, month, day = _workday(20).split("-")
    page.keyboard.type(month + day + year)  # the date input's segments, in the browser's order
    _tab_to(page, "#closure-reason")
    page.keyboard.type("Pelatihan petugas")
    _tab_to(page, "form[action$='/hours/closures'] button[type=submit]")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.locator("main")).to_contain_text("Pelatihan petugas")
    expect(page.locator("#outcome-title")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [False, True])
def test_every_admin_form_works_with_and_without_javascript(new_page, staff_login, javascript):
    """Without JavaScript as the baseline; with it, axe checks each state on the way."""
    name = f"petugas-{'js' if javascript else 'nojs'}"
    page = _admin(new_page, staff_login, javascript=javascript)
    page.goto(f"{A}/settings")
    page.fill("#card_days", "22" if javascript else "21")
    _submit(page)
    expect(page.locator(".notice-ok")).to_contain_text("1 pengaturan")
    _check(page, javascript)

    page.goto(f"{A}/hours")
    page.fill("#weekly-day5", "08.00-12.00")
    _submit(page, "form[action$='/hours/weekly']")
    expect(page.locator(".notice-ok")).to_be_visible()
    page.fill("#extra-day", _workday(9 if javascript else 8))
    page.fill("#extra-opens", "17:00")
    page.fill("#extra-closes", "19:00")
    page.fill("#extra-note", "Malam untuk pekerja")
    _submit(page, "form[action$='/hours/extra']")
    expect(page.locator("main")).to_contain_text("Malam untuk pekerja")
    page.fill("#closure-day", _workday(14 if javascript else 12))
    page.fill("#closure-reason", "Rapat kabupaten")
    _submit(page, "form[action$='/hours/closures']")
    expect(page.locator("main")).to_contain_text("Rapat kabupaten")
    page.click("form[action$='/remove'] button[type=submit] >> nth=0")
    settle(page)
    _check(page, javascript)

    page.goto(f"{A}/stations")
    page.check(f"#station-{OFFICE}-1-state-2")  # maintenance
    _submit(page, f"form[action$='/stations/{OFFICE}-1']")
    expect(page.locator("main")).to_contain_text("masih berlangsung")
    _check(page, javascript)
    page.check(f"#station-{OFFICE}-1-state-0")
    _submit(page, f"form[action$='/stations/{OFFICE}-1']")

    page.goto(f"{A}/status")
    page.check("#recording-1")
    page.fill("#message", "Jaringan ke pusat lambat; perekaman tetap jalan.")
    _submit(page)
    expect(page.locator(".office-status")).to_contain_text("terbatas")
    page.check("#recording-0")
    page.fill("#message", "")
    _submit(page)

    page.goto(f"{A}/people")
    page.fill("#user-username", name)
    page.fill("#user-password", "kata-sandi-panjang")
    page.check("#user-role-1")
    _submit(page, "form[action$='/people/users']")
    expect(page.locator("main")).to_contain_text(name)
    page.check("#token-role-0")
    page.fill("#token-label", f"kios lobi {name}")
    _submit(page, "form[action$='/people/tokens']")
    expect(page.locator(".secret-once")).to_be_visible()
    _check(page, javascript)
    page.click(f"text={name}")
    page.check("#role-role-2")
    page.select_option("#role-desa_code", "3515041003")
    _submit(page, "form[action$='/role']")
    expect(page.locator(".notice-ok")).to_be_visible()
    page.fill("#password-password", "kata-sandi-baru-panjang")
    _submit(page, "form[action$='/password']")
    expect(page.locator(".notice-ok")).to_be_visible()
    _check(page, javascript)
    page.click("text=Nonaktifkan akun ini")
    _check(page, javascript)
    _submit(page)
    expect(page.locator("main")).to_contain_text("dinonaktifkan")
    page.click("text=Cabut >> nth=0")
    _check(page, javascript)
    _submit(page)
    expect(page.locator("main")).to_contain_text("dicabut")

    page.goto(f"{A}/audit")
    page.fill("#actor", "cli")
    _submit(page, "main form[method=get]")
    page.goto(f"{A}/figures")
    page.select_option("#period", "month")
    _submit(page, "main form[method=get]")
    expect(page.locator("svg.chart")).to_be_visible()


@pytest.mark.parametrize("javascript", [False, True])
def test_inbox_from_request_to_answer(new_page, staff_login, kabupaten_login, javascript):
    citizen = new_page(width=320, javascript=javascript)
    citizen.goto("/kunjungan-rumah")
    citizen.fill("#name", "Ibu Sumiati")
    citizen.select_option("#desa", "3515041003")
    citizen.fill("#phone", "0812 3456 7890")
    citizen.check("input[name=requester][value=family]")
    citizen.check("input[name=service][value=pemula]")
    _submit(citizen)
    citizen.goto("/lapor")
    citizen.select_option("#office", OFFICE)
    citizen.check("#place-2")
    citizen.fill("#event_date", "2026-11-20")
    citizen.check("#kind-0")
    citizen.fill("#description", "Diminta Rp 20.000 saat mengambil kartu.")
    _submit(citizen)
    reference = citizen.locator(".guide-reference strong").inner_text()
    pin = citizen.locator("#report-pin").inner_text()
    _check(citizen, javascript)

    page = _admin(new_page, staff_login, javascript=javascript)
    page.goto(f"{A}/inbox")
    assert reference not in page.content()  # the accused office never sees it
    page.click("tbody tr:has-text('Ibu Sumiati') a >> nth=0")
    page.check("#status-2")  # scheduled, without a day
    _submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    _check(page, javascript)
    page.fill("#planned_day", _workday(5))
    page.fill("#planned_time", "09:00")
    page.fill("#response", "Petugas datang pagi hari.")
    _submit(page)
    expect(page.locator("main")).to_contain_text("Kunjungan dijadwalkan")

    kabupaten = new_page(width=320, javascript=javascript)
    kabupaten_login(kabupaten)
    kabupaten.goto("/admin/reports")
    _check(kabupaten, javascript)
    kabupaten.click(f"text={reference}")
    kabupaten.check("#status-2")  # answered, without an answer
    _submit(kabupaten)
    expect(kabupaten.locator(".error-summary")).to_be_visible()
    _check(kabupaten, javascript)
    kabupaten.fill("#response", "Petugas ditegur; uang dikembalikan.")
    _submit(kabupaten)

    citizen.goto(f"/lapor/{reference}")
    _check(citizen, javascript)
    citizen.fill("#pin", "999999" if pin != "999999" else "111111")
    _submit(citizen)
    expect(citizen.locator(".error-summary")).to_be_visible()
    _check(citizen, javascript)
    citizen.fill("#pin", pin)
    _submit(citizen)
    expect(citizen.locator("main")).to_contain_text("uang dikembalikan")
    _check(citizen, javascript)


@pytest.mark.parametrize("width", PHONE)
def test_the_all_offices_admin_home_has_no_accessibility_violations(new_page, kabupaten_login,
                                                                    width):
    page = new_page(width=width)
    kabupaten_login(page)
    assert_accessible(page)
    page.goto("/admin/737109/stations")
    assert_accessible(page)
