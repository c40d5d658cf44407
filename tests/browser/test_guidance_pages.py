"""The wizard and guidance pages in a real browser: zero axe violations in every state, keyboard
only, without JavaScript, and htmx swapping just the checklist."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.domain.nik import today_in
from tests.browser.conftest import PHONE, assert_accessible

# (name, how to reach the state): a path, or a function that drives the page there.
START_PAGES = ["/syarat", "/syarat/tidak-yakin", "/syarat/pemula", "/syarat/hilang",
               "/syarat/perubahan", "/panduan", "/panduan/sidik-jari", "/bantuan",
               "/kunjungan-rumah", "/lapor"]
QUESTION_PAGES = ["/syarat/tidak-yakin?has_ektp=yes&lost_or_damaged=yes",
                  "/syarat/pemula?adult=no&q=adult",
                  "/syarat/tidak-yakin?has_ektp=yes&lost_or_damaged=no&moved_from_other_city=no"
                  "&data_changed=no"]
MISSING_PAGES = ["/syarat/hilang?checked=1&have=kk", "/syarat/pemula?adult=no&married=no",
                 "/syarat/pemula?adult=no&married=yes&checked=1"]
ERROR_PAGES = ["/syarat/tidak-yakin?q=has_ektp", "/syarat/pemula?q=adult"]
# Someone of 14 or 15 today: too young, whatever the day the tests run.
YOUNG_BIRTH = date(today_in().year - 15, 6, 15)
YOUNG_NIK = f"351504{YOUNG_BIRTH:%d%m%y}0003"


def _submit_empty(page, path):
    page.goto(path)
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(".error-summary")


def _nik(page, path, nik, birth_date=None):
    page.goto(path)
    page.fill("#nik", nik)
    if birth_date:
        page.fill("#birth_date", birth_date)
    page.click(".nik-check button[type=submit]")
    page.wait_for_load_state()


POSTED_STATES = {
    "lapor-empty": lambda page, lang: _submit_empty(page, f"/lapor?lang={lang}"),
    "home-visit-empty": lambda page, lang: _submit_empty(page, f"/kunjungan-rumah?lang={lang}"),
    "nik-impossible": lambda page, lang: _nik(page, f"/syarat/pemula?lang={lang}",
                                             "3515043102070003"),
    "nik-too-young-with-warning": lambda page, lang: _nik(
        page, f"/syarat/pemula?lang={lang}", YOUNG_NIK, f"{YOUNG_BIRTH.year}-06-16"),
}


@pytest.mark.parametrize("width", PHONE)
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("path", START_PAGES + QUESTION_PAGES + MISSING_PAGES + ERROR_PAGES)
def test_guidance_page_has_no_accessibility_violations(new_page, path, lang, width):
    page = new_page(width=width)
    joiner = "&" if "?" in path else "?"
    page.goto(f"{path}{joiner}lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)


@pytest.mark.parametrize("width", PHONE)
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("state", sorted(POSTED_STATES))
def test_posted_states_have_no_accessibility_violations(new_page, state, lang, width):
    page = new_page(width=width)
    POSTED_STATES[state](page, lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_sent_pages_have_no_accessibility_violations(new_page, lang):
    page = new_page(width=320)
    page.goto(f"/lapor?lang={lang}")
    page.select_option("#office", "351504")
    page.fill("#event_date", "2026-11-20")
    page.check("#kind-0")
    page.check("#place-2")
    page.fill("#description", "Diminta uang saat mengambil kartu.")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/lapor/terkirim"))
    assert re.fullmatch(r"LPR-[0-9A-Z]{6}", page.locator(".guide-reference strong").inner_text())
    assert_accessible(page)
    page.goto(f"/bantuan?lang={lang}")
    page.check("input[name=needs][value=wheelchair]")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".guide-result")
    assert_accessible(page)


def _tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_the_whole_wizard_by_keyboard_only(new_page):
    page = new_page(width=320)
    page.goto("/syarat")
    _tab_to(page, "a[href='/syarat/tidak-yakin']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    answers = (("has_ektp", "yes"), ("lost_or_damaged", "yes"), ("which", "lost"))
    for number, (name, choice) in enumerate(answers, start=1):
        assert page.locator(".step-indicator").inner_text().startswith(f"Langkah {number} dari")
        _tab_to(page, f"input[name={name}]")
        if page.evaluate("document.activeElement.value") != choice:
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.value") == choice
        _tab_to(page, "form.question-form button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.url.endswith("/syarat/hilang")
    # Tick both documents; htmx swaps the list and focus stays on the box just ticked.
    _tab_to(page, "#doc-police_letter input[type=checkbox]")
    ticked = _focused_id(page)
    page.keyboard.press("Space")
    page.wait_for_selector("#doc-kk.doc-missing")
    assert _focused_id(page) == ticked
    _tab_to(page, "#doc-kk input[type=checkbox]")
    page.keyboard.press("Space")
    page.wait_for_selector(".checklist-summary .result-ok")
    assert "Lengkap" in page.locator(".checklist-summary").inner_text()
    _tab_to(page, "a[href='/booking?service=hilang']")
    # Browser Back returns to the last question, answered as it was.
    page.go_back()
    page.go_back()
    page.go_back()
    page.wait_for_selector("input[name=which]")
    assert "Langkah 3 dari 3" in page.locator(".step-indicator").inner_text()


def test_the_first_recording_questions_by_keyboard_swap_in_place(new_page):
    page = new_page()
    page.goto("/syarat/pemula")
    page.evaluate("window.notReloaded = true")
    _tab_to(page, "input[name=adult]")
    page.keyboard.press("ArrowDown")  # "Tidak"
    _tab_to(page, "#checklist-question button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("input[name=married]")
    assert page.evaluate("window.notReloaded === true")  # htmx swapped, no page load
    assert "adult=no" in page.url  # the URL follows, so Back and reload work
    assert page.evaluate("document.activeElement.classList.contains('question-box')")
    _tab_to(page, "input[name=married]")
    page.keyboard.press("Space")  # "Ya"
    _tab_to(page, "#checklist-question button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#doc-marriage_certificate")
    assert page.evaluate("window.notReloaded === true")
    assert_accessible(page)


def test_the_whole_wizard_without_javascript(new_page):
    page = new_page(width=320, javascript=False)
    page.goto("/syarat?lang=en")
    page.click("a[href='/syarat/tidak-yakin']")
    for name, choice in (("has_ektp", "yes"), ("lost_or_damaged", "no"),
                         ("moved_from_other_city", "yes")):
        page.check(f"input[name={name}][value={choice}]")
        page.click("form.question-form button[type=submit]")
    assert page.url.endswith("/syarat/pindah")
    assert page.locator("h1").inner_text() == "Requirements: Moved here"
    expect(page.locator("button[data-read-aloud]")).to_be_hidden()  # needs JavaScript
    page.check("#doc-kk input[type=checkbox]")
    page.click("#checklist-ticks button[type=submit]")
    assert "checked=1" in page.url
    assert "Something is still missing" in page.locator(".checklist-summary").inner_text()
    page.check("#doc-skpwni input[type=checkbox]")
    page.click("#checklist-ticks button[type=submit]")
    assert "Complete" in page.locator(".checklist-summary").inner_text()
    page.go_back()
    assert "Something is still missing" in page.locator(".checklist-summary").inner_text()


def test_first_recording_and_nik_check_without_javascript(new_page):
    page = new_page(javascript=False)
    page.goto("/syarat/pemula")
    page.check("input[name=adult][value=no]")
    page.click("#checklist-question button[type=submit]")
    page.check("input[name=married][value=no]")
    page.click("#checklist-question button[type=submit]")
    assert "Anda belum bisa merekam e-KTP" in page.locator("main").inner_text()
    page.fill("#nik", YOUNG_NIK)
    page.click(".nik-check button[type=submit]")
    result = page.locator(".guide-result").first.inner_text()
    assert "3515••••••••0003" in result
    assert "Anda bisa merekam mulai" in result and f"15 Juni {YOUNG_BIRTH.year + 17}" in result
    assert page.locator("#nik").input_value() == ""


def test_reports_and_home_visits_without_javascript(new_page):
    page = new_page(javascript=False)
    page.goto("/bantuan")
    page.check("input[name=needs][value=cannot_leave_home]")
    page.click("main form button[type=submit]")
    assert "/kunjungan-rumah" in page.url
    page.fill("#name", "Ibu Sumiati")
    page.select_option("#desa", "3515041003")
    page.fill("#phone", "0812 3456 7890")
    page.check("input[name=requester][value=family]")
    page.check("input[name=service][value=pemula]")
    page.click("main form button[type=submit]")
    assert "/kunjungan-rumah/terkirim" in page.url
    assert page.locator(".guide-reference strong").inner_text().startswith("KRM-")
    page.goto("/lapor")
    page.click("main form button[type=submit]")
    assert page.title().startswith("Kesalahan:")
    expect(page.locator(".error-summary li")).to_have_count(5)  # office, place, date, kind, story


def test_read_aloud_appears_only_with_speech_synthesis(new_page):
    page = new_page()
    page.goto("/panduan/iris")
    has_speech = page.evaluate("!!window.speechSynthesis")
    assert page.locator("button[data-read-aloud]").is_visible() == has_speech
    if has_speech:
        page.click("button[data-read-aloud]")
        assert page.locator("button[data-read-aloud] span").inner_text() in (
            "Berhenti membacakan", "Bacakan")
        assert_accessible(page)
    page.add_init_script(
        "Object.defineProperty(window, 'speechSynthesis', {value: undefined})")
    page.goto("/panduan/iris")
    expect(page.locator("button[data-read-aloud]")).to_be_hidden()
