"""Every error page (400/403/404/422/429/500), in both languages, passes axe in a real browser.

400, 429 and 500 cannot be provoked on the live server (CSRF tokens are valid, limits are off,
nothing crashes), so their HTML is rendered by the app and served to chromium by interception;
assets still load from the live server.
"""

import pytest
from playwright.sync_api import expect

from app import create_app
from app.errors import error_response
from tests.browser.conftest import WIDTHS, assert_accessible


@pytest.fixture(scope="module")
def render_error(tmp_path_factory):
    app = create_app({"INSTANCE_PATH": str(tmp_path_factory.mktemp("errors")), "TESTING": True,
                      "DATABASE_URL": "sqlite://"})

    def render(status: int, lang: str) -> str:
        with app.test_request_context(f"/?lang={lang}"):
            response = app.make_response(error_response(status))
            return response.get_data(as_text=True)

    return render


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("status", [400, 403, 404, 422, 429, 500])
def test_error_page_is_accessible(new_page, live_server, render_error, status, lang, width):
    page = new_page(width=width)
    html = render_error(status, lang)
    page.route(f"{live_server}/error-preview", lambda route: route.fulfill(
        status=status, body=html, content_type="text/html; charset=utf-8"))
    page.goto("/error-preview")
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
