"""The foundation pages in a real browser: zero axe violations, keyboard, no JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WIDTHS, assert_accessible

PAGES = ["/", "/login", "/privasi", "/tampilan", "/halaman-yang-tidak-ada"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_accessibility_violations(new_page, path, lang, width):
    page = new_page(width=width)
    page.goto(f"{path}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_failed_login_state_has_no_accessibility_violations(new_page, lang):
    page = new_page(width=320)
    page.goto(f"/login?lang={lang}")
    page.click("button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Kesalahan:" if lang == "id" else "Error:")
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_high_contrast_and_large_text_have_no_violations(new_page, width):
    page = new_page(width=width)
    page.goto("/tampilan")
    page.check("#text-2")
    page.check("#contrast-1")
    page.click("main button[type=submit]")
    assert "text-larger" in page.locator("html").get_attribute("class")
    assert_accessible(page)


def test_200_percent_zoom_reflows_without_sideways_scrolling(new_page):
    # 200 % zoom of a 1280 px window lays the page out in 640 CSS px.
    page = new_page(width=640, device_scale_factor=2)
    for path in PAGES:
        page.goto(path)
        assert_accessible(page)


def test_keyboard_user_skips_to_main_content(new_page):
    page = new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_display_options_work_by_keyboard(new_page):
    page = new_page()
    page.goto("/tampilan?lang=en")
    page.focus("#text-0")
    page.keyboard.press("ArrowDown")  # radio groups move with the arrow keys
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "text-large" in (page.locator("html").get_attribute("class") or "")


def test_display_options_work_without_javascript(new_page):
    page = new_page(javascript=False)
    page.goto("/tampilan?lang=en")
    page.check("#text-1")
    page.click("main button[type=submit]")
    assert "text-large" in (page.locator("html").get_attribute("class") or "")


def test_staff_sign_in_works_without_javascript(new_page, staff_login):
    page = new_page(javascript=False)
    staff_login(page, "officer")
    assert page.url.endswith("/officer/")
    assert page.locator("h1").inner_text().startswith("Hari ini di")  # the officer's day list


@pytest.mark.parametrize("path", ["/staff/", "/admin/"])
def test_a_wrong_role_sees_an_accessible_403(new_page, staff_login, path):
    page = new_page()
    staff_login(page, "officer")
    response = page.goto(path)
    assert response.status == 403
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_officer_landing_page_is_accessible(new_page, staff_login, width):
    page = new_page(width=width)
    staff_login(page, "officer")
    assert page.url.endswith("/officer/")
    expect(page.locator("a[href='/officer/scan']")).to_have_count(1)
    assert_accessible(page)
