"""Booking in a real browser: zero axe violations in every state (id/en, 320 px and wide), by
keyboard only, and with JavaScript off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.browser.conftest import assert_accessible
from tests.support.niks import fresh_nik

_nik = fresh_nik  # one active booking per NIK: a fresh one for each booking


def _step(page, checks: bool):
    if checks:
        assert_accessible(page)


def _book(page, nik: str, checks: bool = True, service: str = "pemula") -> str:
    """The whole flow by clicks; returns the booking code shown at the end."""
    page.goto(f"/booking?service={service}")
    _step(page, checks)
    page.click("main button[type=submit]")
    page.check("input[name=office][value='351504']")
    _step(page, checks)
    page.click("main button[type=submit]")
    page.locator("input[name=day]").first.check()
    _step(page, checks)
    page.click("main button[type=submit]")
    page.locator("input[name=slot]").first.check()
    _step(page, checks)
    page.click("main button[type=submit]")
    page.fill("#nik", "12345")  # a mistake first: the error state must be accessible too
    page.click("main button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    _step(page, checks)
    page.fill("#nik", nik)
    page.fill("#name", "Siti Aminah")
    page.select_option("#desa", "3515041003")
    page.fill("#phone", "0812 3456 7890")
    page.check("input[name=needs][value=wheelchair]")
    page.click("main button[type=submit]")
    assert re.search(r"/booking/periksa$", page.url), page.locator("main").inner_text()[:1500]
    _step(page, checks)
    page.click("main form button[type=submit]")
    assert page.url.endswith("/booking/selesai")
    _step(page, checks)
    return page.locator(".booking-code-value").inner_text().strip()


def _manage(page, code: str, nik: str, checks: bool = True):
    page.goto("/booking/kelola")
    _step(page, checks)
    page.fill("#code", code.lower())
    page.fill("#nik", nik[:-1] + ("1" if nik[-1] != "1" else "2"))  # a wrong NIK first
    page.click("main button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    _step(page, checks)
    page.fill("#nik", nik)
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() in ("Jadwal Anda", "Your booking")
    _step(page, checks)


@pytest.mark.parametrize("lang,width", [("id", 320), ("en", 320)])
def test_booking_and_managing_have_no_violations_in_any_state(new_page, lang, width):
    page = new_page(width=width)
    page.goto(f"/?lang={lang}")
    nik = _nik()
    code = _book(page, nik)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert page.locator("html").get_attribute("lang") == lang
    _manage(page, code, nik)
    page.click("main a.button.secondary")  # move to another day or time
    assert_accessible(page)
    page.locator("a.day-link").last.click()
    page.wait_for_selector("#reschedule-times .time-links a")
    assert_accessible(page)
    page.locator("#reschedule-times .time-links a").first.click()
    assert_accessible(page)
    page.click("main form button[type=submit]")
    expect(page.locator(".notice-ok")).to_be_visible()
    assert_accessible(page)
    page.click("main a.button.warning")
    assert_accessible(page)
    page.click("main form button.warning")
    expect(page.locator(".notice-ok")).to_be_visible()
    assert_accessible(page)


def test_a_slot_taken_meanwhile_and_a_second_booking_are_explained_accessibly(
        new_page, server_env):
    page = new_page(width=320)
    nik = _nik()
    _book(page, nik, checks=False)
    # The same person tries again: refused kindly.
    page.context.clear_cookies()
    page.goto("/booking")
    page.check("input[name=service][value=pemula]")
    page.click("main button[type=submit]")
    page.check("input[name=office][value='351504']")
    page.click("main button[type=submit]")
    page.locator("input[name=day]").last.check()
    page.click("main button[type=submit]")
    slot_id = page.locator("input[name=slot]").first.get_attribute("value")
    page.locator("input[name=slot]").first.check()
    page.click("main button[type=submit]")
    page.fill("#nik", nik)
    page.fill("#name", "Siti")
    page.select_option("#desa", "luar")
    page.click("main button[type=submit]")
    # Refused at the details step, on the NIK (the one domain check), not after the review.
    assert "sudah punya jadwal" in page.locator("#nik-error").inner_text()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    # Someone else now: the chosen time fills up while they read the review page.
    page.goto("/booking/data")
    page.fill("#nik", _nik())
    page.fill("#name", "Budi")
    page.select_option("#desa", "luar")
    page.click("main button[type=submit]")
    engine = create_engine(server_env["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text("UPDATE slot SET booked = capacity WHERE id = :id"),
                           {"id": int(slot_id)})
    engine.dispose()
    page.click("main form button[type=submit]")
    expect(page.locator("#time-choices [role=alert]")).to_be_visible()
    expect(page.locator("input[name=slot]").first).to_be_visible()
    assert_accessible(page)


def _tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_a_whole_booking_by_keyboard_only(new_page):
    page = new_page(width=1280)
    page.goto("/booking")
    _tab_to(page, "input[name=service]")
    page.keyboard.press("Space")
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/kantor")
    _tab_to(page, "input[name=office]")
    page.keyboard.press("Space")
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/hari")
    _tab_to(page, "input[name=day]")
    page.keyboard.press("Space")
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/jam")
    _tab_to(page, "input[name=slot]")
    page.keyboard.press("Space")
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/data")
    _tab_to(page, "#nik")
    page.keyboard.type(_nik())
    _tab_to(page, "#name")
    page.keyboard.type("Siti")
    _tab_to(page, "#desa")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/periksa")
    _tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/selesai")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}",
                        page.locator(".booking-code-value").inner_text().strip())


def test_a_whole_booking_and_cancel_without_javascript(new_page):
    page = new_page(width=320, javascript=False)
    nik = _nik()
    code = _book(page, nik, checks=False, service="hilang")
    expect(page.locator("text=Kode booking Anda")).to_be_visible()
    _manage(page, code, nik, checks=False)
    page.click("main a.button.secondary")
    page.locator("a.day-link").first.click()
    expect(page.locator(".time-links a").first).to_be_visible()
    page.click("text=Kembali ke jadwal Anda")
    page.click("main a.button.warning")
    page.click("main form button.warning")
    expect(page.locator(".notice-ok")).to_be_visible()
    assert "Dibatalkan" in page.locator("main").inner_text()


def test_htmx_switches_the_day_of_the_time_step_in_place(new_page):
    page = new_page(width=320)
    page.goto("/booking")
    page.check("input[name=service][value=pemula]")
    page.click("main button[type=submit]")
    page.check("input[name=office][value='351504']")
    page.click("main button[type=submit]")
    page.locator("input[name=day]").first.check()
    page.click("main button[type=submit]")
    first_day = page.locator("#time-choices .lead strong").inner_text()
    page.evaluate("window.__kept = true")  # survives only if the page is not reloaded
    page.locator(".day-nav a").last.click()
    page.wait_for_function(
        "(d) => document.querySelector('#time-choices .lead strong').innerText !== d",
        arg=first_day)
    assert page.evaluate("window.__kept === true")
    assert "day=" in page.url
    assert_accessible(page)


def _lost_code_then_locked(page, lang: str, nik: str, code: str, checks: bool) -> None:
    page.goto(f"/booking/lupa-kode?lang={lang}")
    _step(page, checks)
    page.click("main button[type=submit]")  # nothing filled in: the error summary
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.title().startswith(("Kesalahan", "Error"))
    _step(page, checks)
    page.fill("#nik", nik)
    page.select_option("#office", "351504")
    page.click("main button[type=submit]")
    expect(page.locator(".notice-ok")).to_be_visible()
    assert code not in page.content()
    _step(page, checks)
    page.goto("/booking/kelola")
    for attempt in range(10):  # someone guesses NIKs for this code
        page.fill("#code", code)
        page.fill("#nik", f"3515041203{70:02d}{9000 + attempt:04d}")
        page.click("main button[type=submit]")
    page.fill("#code", code)
    page.fill("#nik", nik)
    page.click("main button[type=submit]")
    assert page.url.endswith("/kode")
    _step(page, checks)
    page.fill("#one_time_code", "12")
    page.click("main button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    _step(page, checks)


@pytest.mark.parametrize("lang,javascript", [("id", True), ("en", False)])
def test_lost_code_and_one_time_code_pages_are_accessible_and_need_no_javascript(
        new_page, lang, javascript):
    page = new_page(width=320)
    nik = _nik()
    code = _book(page, nik, checks=False)
    page = new_page(width=320, javascript=javascript)
    _lost_code_then_locked(page, lang, nik, code, checks=javascript)  # axe needs JavaScript
