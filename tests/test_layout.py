"""The layout every page shares: language, landmarks, free-of-charge notice, display options."""

import pytest


def test_home_is_indonesian_by_default_and_english_on_request(client, page):
    home = page(client, "/")
    assert home.soup.html["lang"] == "id"
    assert "Perekaman e-KTP di kecamatan" in home.h1
    english = page(client, "/?lang=en")
    assert english.soup.html["lang"] == "en"
    assert english.h1 == "e-KTP recording at the kecamatan"


def test_chosen_language_is_remembered_in_a_cookie(client, page):
    page(client, "/?lang=en")
    assert page(client, "/privasi").soup.html["lang"] == "en"
    page(client, "/?lang=id")
    assert page(client, "/privasi").soup.html["lang"] == "id"


def test_unknown_language_falls_back_to_indonesian(client, page):
    assert page(client, "/?lang=fr").soup.html["lang"] == "id"


def test_every_page_says_the_service_is_free_and_links_to_privacy(client, page):
    for url in ("/", "/privasi", "/login", "/tampilan"):
        shown = page(client, url)
        assert "Semua layanan e-KTP gratis." in shown.text
        assert "/privasi" in shown.links()


def test_skip_link_leads_to_main(client, page):
    home = page(client, "/")
    skip = home.soup.select_one("a.skip-link")
    assert skip["href"] == "#main"
    assert home.soup.find(id="main").name == "main"


def test_home_lists_both_demo_offices_marked_as_demo(client, page):
    home = page(client, "/")
    assert "Kecamatan Porong" in home.text and "Kecamatan Panakkukang" in home.text
    assert home.text.count("data contoh") == 2


def test_larger_text_and_high_contrast_work_without_javascript(client, page):
    response = client.post("/tampilan", data={"text": "larger", "contrast": "high",
                                              "next": "/privasi"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/privasi"
    classes = page(client, "/privasi").soup.html["class"]
    assert "text-larger" in classes and "contrast-high" in classes


def test_display_options_refuse_unknown_values_and_foreign_redirects(client, page):
    refused = page(client, "/tampilan", method="POST", status=422,
                   data={"text": "gigantic", "contrast": "normal"})
    assert refused.soup.title.get_text().startswith("Kesalahan:")
    links = refused.select(".error-summary a")
    assert links and all(refused.soup.find(id=a["href"][1:]) for a in links)
    assert links[0]["href"] == "#text-0"  # a radio group's link lands on its first option
    response = client.post("/tampilan", data={"text": "large", "contrast": "normal",
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_pages_carry_security_headers_without_inline_code(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_static_assets_are_fingerprinted_and_cached_for_a_year(client, page):
    css = page(client, "/").soup.select_one("link[rel=stylesheet]")["href"]
    assert "?v=" in css
    response = client.get(css)
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600


def test_html_is_compressed_for_slow_phones(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_htmx_is_vendored_2_0_and_configured_for_the_csp(client, page):
    home = page(client, "/")
    scripts = [s["src"] for s in home.select("script[src]")]
    assert any("/static/vendor/htmx-2.0." in s for s in scripts)
    assert all(s.startswith("/static/") for s in scripts)
    config = home.soup.find("meta", attrs={"name": "htmx-config"})["content"]
    assert '"includeIndicatorStyles":false' in config and '"422"' in config


def test_privacy_notice_says_what_is_kept_why_how_long_and_who_sees_it(client, page):
    notice = page(client, "/privasi")
    headings = [h.get_text(strip=True) for h in notice.select("h2")]
    assert headings[:4] == ["Yang kami simpan", "Untuk apa", "Berapa lama",
                            "Siapa yang dapat melihat"]
    assert "90 hari" in notice.text and "UU 27/2022" in notice.text
    english = page(client, "/privasi?lang=en")
    assert "90 days" in english.text


def test_anonymous_pages_are_served_from_the_page_cache_per_language(app, client, session):
    from app.models import Office

    first = client.get("/").get_data(as_text=True)
    office = session.get(Office, "351504")
    office.name = "Kecamatan Porong Baru"
    session.commit()
    assert client.get("/").get_data(as_text=True) == first  # cached for a minute
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Kecamatan Porong Baru" in english  # another key: rendered afresh
    assert 'lang="en"' in english


def test_signed_in_staff_never_get_a_cached_page(client, login_as):
    anonymous = client.get("/privasi").get_data(as_text=True)
    user = login_as("officer")
    signed_in = client.get("/privasi").get_data(as_text=True)
    assert user.username in signed_in and user.username not in anonymous


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_pages_with_a_csrf_token_are_never_shared_between_visitors(app):
    from flask_wtf.csrf import generate_csrf

    from app.web.rendering import cached_page

    @app.get("/form-for-test")
    @cached_page
    def form_for_test():
        return generate_csrf()

    first = app.test_client().get("/form-for-test").get_data(as_text=True)
    second = app.test_client().get("/form-for-test").get_data(as_text=True)
    assert first != second
