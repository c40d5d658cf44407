"""The satisfaction survey and the IKM reports in a real browser (issue 17): zero axe violations
in every state of the survey (code entry, unknown and used code, the questions, the questions
with errors, thanks), on the public summary, the admin report and the officer's slips; the
whole survey by keyboard only, and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.domain import ikm
from tests.browser.conftest import WIDTHS, assert_accessible, settle


@pytest.fixture(scope="module")
def issue(server_env, live_server):
    """issue(n) → n fresh survey codes in the live server's database."""
    from app import create_app
    from app.db import database

    app = create_app({"INSTANCE_PATH": server_env["INSTANCE_PATH"],
                      "DATABASE_URL": server_env["DATABASE_URL"]})

    def make(count: int = 1) -> list[str]:
        with app.app_context():
            with database().session(write=True) as session:
                tokens = ikm.issue_survey_tokens(session, "351504", count)
                session.commit()
            database().dispose()
        return tokens

    return make


def _answer_all(page, value: str = "3") -> None:
    for code in ikm.DEFAULT_ELEMENTS:
        page.check(f"input[name={code}][value='{value}']")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_state_of_the_survey_has_no_accessibility_violations(new_page, issue, width,
                                                                    lang):
    page = new_page(width=width)
    page.goto(f"/survei?lang={lang}")
    assert_accessible(page)  # code entry
    page.goto("/survei?kode=AAAA-BBBB-CCCC")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)  # unknown code
    [token] = issue(1)
    page.goto(f"/survei?kode={token}")
    expect(page.locator("fieldset.survey-question")).to_have_count(19)
    assert_accessible(page)  # the questions
    page.click(".survey-form button[type=submit]")
    settle(page)
    expect(page.locator(".error-summary li")).to_have_count(9)
    assert page.title().startswith(("Kesalahan", "Error"))
    assert_accessible(page)  # with every required answer missing
    _answer_all(page)
    page.check("input[name=sq_tangibles_e][value='5']")
    page.check("input[name=sq_tangibles_p][value='3']")
    page.click(".survey-form button[type=submit]")
    settle(page)
    expect(page.locator("h1")).to_have_text(("Terima kasih", "Thank you")[lang == "en"])
    assert_accessible(page)  # thanks
    page.goto(f"/survei?kode={token}")
    expect(page.locator(".error-summary")).to_contain_text(
        ("sudah dipakai", "already been used")[lang == "en"])
    assert_accessible(page)  # a used code
    page.goto("/ikm/351504")
    expect(page.locator(".ikm-grade").first).to_be_visible()
    assert_accessible(page)  # the public summary


def _tab_until(page, condition: str, limit: int = 80) -> None:
    for _ in range(limit):
        if page.evaluate(condition):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {condition} on {page.url}")


def test_the_whole_survey_by_keyboard_only(new_page, issue):
    [token] = issue(1)
    page = new_page(width=320)
    page.goto("/survei")
    expect(page.locator("#kode")).to_be_focused()  # autofocus on the code
    page.keyboard.type(ikm.display_token(token).lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for code in ikm.DEFAULT_ELEMENTS:  # Tab into each group; the arrows pick the third answer
        _tab_until(page, f"document.activeElement.name === '{code}'")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked")
    assert page.locator("input[name=biaya][value='3']").is_checked()
    _tab_until(page, "document.activeElement.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Terima kasih")


def test_the_survey_works_without_javascript(new_page, issue):
    [token] = issue(1)
    page = new_page(width=320, javascript=False)
    page.goto("/survei")
    page.fill("#kode", token)
    page.click("form button[type=submit]")
    _answer_all(page, "4")
    page.check("input[name=biaya][value='1']")  # money was asked
    page.fill("#saran", "Petugas minta uang di loket.")
    page.click(".survey-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Terima kasih")
    box = page.locator("main").bounding_box()
    assert box["width"] <= 320


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_report_has_no_accessibility_violations(new_page, staff_login, issue, width):
    page = new_page(width=width)
    staff_login(page, "admin")
    page.goto("/admin/ikm/")
    expect(page.locator(".ikm-table").first).to_be_visible()
    assert_accessible(page)
    page.select_option("#periode", "tahun")
    page.click(".filter-form button[type=submit]")
    settle(page)
    assert "periode=tahun" in page.url
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_officers_slips_have_no_accessibility_violations(new_page, staff_login, width):
    page = new_page(width=width)
    staff_login(page, "officer")
    page.goto("/officer/survei/")
    assert_accessible(page)
    page.select_option("#count", "2")
    page.click("form.narrow-form button[type=submit]")
    settle(page)
    expect(page.locator(".survey-slip-code")).to_have_count(2)
    assert_accessible(page)
