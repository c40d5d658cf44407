"""Bad input never gives a 500: every error is a clear page (or JSON) in the person's language."""

import pytest


@pytest.mark.parametrize("lang, title", [("id", "Halaman tidak ditemukan"),
                                         ("en", "Page not found")])
def test_unknown_page_gets_a_404_in_the_chosen_language(client, page, lang, title):
    missing = page(client, f"/tidak-ada?lang={lang}", status=404)
    assert missing.h1 == title
    assert "/" in missing.links()


def test_wrong_method_gets_a_clear_405_page(client, page):
    assert page(client, "/privasi", method="POST", status=405).h1 == (
        "Cara permintaan tidak didukung")


def test_unknown_office_in_the_api_is_a_json_404(client):
    response = client.get("/api/v1/offices/999999/nope", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert response.json["message"] == "Page not found"


def test_a_crash_shows_a_friendly_500_page_and_logs_no_request_body(app, caplog):
    @app.post("/boom-for-test")
    def boom():
        raise RuntimeError("kaboom")

    app.testing = False  # let the error handler answer, as in production
    response = app.test_client().post("/boom-for-test?lang=en",
                                      data={"nik": "3515041203070003"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "3515041203070003" not in caplog.text


def test_too_large_a_body_is_refused_with_413(client):
    response = client.post("/login", data={"username": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
