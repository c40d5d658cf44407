"""/status/{office} in a real browser: zero axe violations at 320 px and wide, in both
languages; and all of it there with JavaScript off (plain words and pictograms need none)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WIDTHS, assert_accessible


@pytest.fixture(scope="module")
def limited_today(server_env, live_server):
    """Recording limited, printing stopped, with a message, in the live server's database."""
    from app import create_app
    from app.db import database
    from app.domain import office_status

    app = create_app({"INSTANCE_PATH": server_env["INSTANCE_PATH"],
                      "DATABASE_URL": server_env["DATABASE_URL"]})
    with app.app_context():
        with database().session(write=True) as session:
            office_status.set_status(
                session, "351504", recording="limited", printing="stopped",
                message="Satu alat perekam rusak; blangko habis sampai Senin.", actor="test")
            session.commit()
        database().dispose()
    return "351504"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_status_page_has_no_accessibility_violations(new_page, limited_today, lang, width):
    page = new_page(width=width)
    page.goto(f"/status/{limited_today}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.get_by_text("blangko habis sampai Senin")).to_be_visible()
    expect(page.locator("dl img")).to_have_count(2)
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_normal_days_status_has_no_accessibility_violations(new_page, width):
    page = new_page(width=width)
    page.goto("/status/737109")
    assert_accessible(page)


def test_the_status_page_needs_no_javascript(new_page, limited_today):
    page = new_page(width=320, javascript=False)
    page.goto(f"/status/{limited_today}?lang=en")
    expect(page.get_by_text("blangko habis sampai Senin")).to_be_visible()
    expect(page.locator("dl img")).to_have_count(2)
    box = page.locator("main").bounding_box()
    assert box["width"] <= 320


@pytest.mark.parametrize("width", WIDTHS)
def test_the_home_page_with_a_status_line_has_no_accessibility_violations(
        new_page, limited_today, width):
    page = new_page(width=width)
    page.goto("/")
    expect(page.locator(".office-status").first).to_be_visible()
    assert_accessible(page)
