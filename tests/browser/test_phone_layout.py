"""issue 10 (H): the citizen pages on a phone. At 320 and 360 px, with normal and the largest
text, no word breaks inside, nothing scrolls sideways, the booking code stays on one line — on
every booking, manage and verify page — and axe finds nothing. With JavaScript, the new day's
times on the reschedule page take focus and are scrolled into view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, settle
from tests.support.niks import fresh_nik as _nik

# For every visible text node, every word's range must lie on one line (one top edge), and the
# page must not be wider than the viewport. A line may end after a hyphen or slash, as in print
# ("e-" / "KTP", "kabupaten/" / "kota"); never inside the letters ("Perekama" / "n"). The booking
# code, which must not wrap even at its hyphen, is checked whole (CODE_LINES).
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    // .hash: a 64-digit SHA-256 is no word and cannot fit a phone; it wraps by design.
    if (!el || el.closest("script, style, [hidden], .visually-hidden, option, select, textarea, "
                          + ".hash")) {
      continue;
    }
    if (!el.getClientRects().length) { continue; }
    const words = /[^\\s\\-\\/\u2013]+[\\-\\/\u2013]?/g;
    let m;
    while ((m = words.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0)
        .map((r) => Math.round(r.top)));
      if (tops.size > 1) { broken.push(m[0] + " in: " + node.data.trim().slice(0, 60)); }
    }
  }
  return broken;
}"""
CODE_LINES = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0)
    .map((r) => Math.round(r.top))).size;
})"""
CODES = ".booking-code-value, .receipt-code, .verify-code"


def assert_fits_a_phone(page, axe: bool = True) -> None:
    settle(page)
    broken = page.evaluate(BROKEN_WORDS)
    assert not broken, f"{page.url}: words broken inside: {broken[:10]}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        f"{page.url} scrolls sideways"
    assert all(n == 1 for n in page.evaluate(CODE_LINES, CODES)), f"{page.url}: the code wraps"
    if axe:
        assert_accessible(page)


def _phone(new_page, live_server, width: int, text: str, javascript: bool = True):
    page = new_page(width=width, javascript=javascript)
    page.context.add_cookies([{"name": "tampilan", "value": f"{text}.normal",
                               "url": live_server}])
    return page


@pytest.mark.parametrize("text", ["normal", "larger"])
@pytest.mark.parametrize("width", [320, 360])
def test_booking_manage_and_verify_pages_fit_a_phone(new_page, live_server, width, text):
    page = _phone(new_page, live_server, width, text)
    nik = _nik()
    page.goto("/booking?service=hilang")
    assert_fits_a_phone(page, axe=False)
    page.click("main button[type=submit]")
    page.check("input[name=office][value='351504']")
    assert_fits_a_phone(page, axe=False)
    page.click("main button[type=submit]")
    page.locator("input[name=day]").first.check()
    assert_fits_a_phone(page, axe=False)
    page.click("main button[type=submit]")
    page.locator("input[name=slot]").first.check()
    assert_fits_a_phone(page, axe=False)
    page.click("main button[type=submit]")
    page.fill("#nik", nik)
    page.fill("#name", "Perekaman Desember Kependudukan")
    page.select_option("#desa", "3515041003")
    assert_fits_a_phone(page, axe=False)
    page.click("main button[type=submit]")
    assert re.search(r"/booking/periksa$", page.url), page.locator("main").inner_text()[:1500]
    assert_fits_a_phone(page)  # review
    page.click("main form button[type=submit]")
    assert page.url.endswith("/booking/selesai")
    assert_fits_a_phone(page)  # confirmed
    code = page.locator(".booking-code-value").inner_text().strip()
    token = page.locator("a[href*='/document']").first.get_attribute("href").split("/")[2]
    page.goto("/booking/kelola")
    page.fill("#code", code)
    page.fill("#nik", nik)
    page.click("main button[type=submit]")
    assert_fits_a_phone(page)  # manage
    page.click("main a.button.secondary")
    assert_fits_a_phone(page, axe=False)  # reschedule
    page.goto(f"/v/{token}")
    assert_fits_a_phone(page)  # verify, valid
    page.goto("/booking/kelola")
    page.fill("#code", code)
    page.fill("#nik", nik)
    page.click("main button[type=submit]")
    page.click("main a.button.warning")
    assert_fits_a_phone(page)  # cancel
    page.click("main form button.warning")
    expect(page.locator(".notice-ok")).to_be_visible()
    page.goto(f"/v/{token}")
    assert page.locator(".verdict-word").inner_text() == "DIBATALKAN"
    assert_fits_a_phone(page)  # verify, cancelled
    page.goto(f"/v/{token}/receipt")
    assert_fits_a_phone(page, axe=False)


def test_the_new_days_times_take_focus_when_rescheduling(new_page, live_server):
    page = _phone(new_page, live_server, 320, "larger")
    nik = _nik()
    page.goto("/booking?service=pemula")
    page.click("main button[type=submit]")
    page.check("input[name=office][value='351504']")
    page.click("main button[type=submit]")
    page.locator("input[name=day]").first.check()
    page.click("main button[type=submit]")
    page.locator("input[name=slot]").first.check()
    page.click("main button[type=submit]")
    page.fill("#nik", nik)
    page.fill("#name", "Siti Aminah")
    page.select_option("#desa", "3515041003")
    page.click("main button[type=submit]")
    page.click("main form button[type=submit]")
    code = page.locator(".booking-code-value").inner_text().strip()
    page.goto("/booking/kelola")
    page.fill("#code", code)
    page.fill("#nik", nik)
    page.click("main button[type=submit]")
    page.click("main a.button.secondary")
    page.evaluate("window.__kept = true")
    page.locator("a.day-link").last.scroll_into_view_if_needed()
    page.locator("a.day-link").last.click()
    page.wait_for_selector("#reschedule-times .time-links a")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'times-title'")
    assert page.evaluate("window.__kept === true")  # swapped in place, not reloaded
    top = page.evaluate("document.getElementById('times-title').getBoundingClientRect().top")
    assert -2 <= top < page.viewport_size["height"], top  # scrolled to (sub-pixel rounding)
    assert_accessible(page)


def test_home_page_fits_a_phone_and_leads_to_booking_and_managing(new_page, live_server):
    page = _phone(new_page, live_server, 320, "larger")
    page.goto("/")
    expect(page.locator("main a[href='/booking']").first).to_be_visible()
    expect(page.locator("main a[href='/booking/kelola']").first).to_be_visible()
    assert_fits_a_phone(page)
