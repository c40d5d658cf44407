"""Staff sign in with a password; each area lets in only its roles."""

import pytest

from tests.conftest import TEST_PASSWORD


def test_officer_signs_in_and_lands_on_the_officer_page(client, make_user, page):
    officer = make_user("officer")
    response = client.post("/login", data={"username": officer.username,
                                           "password": TEST_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/officer/"
    landing = page(client, "/officer/")
    assert landing.h1 == "Hari ini di Kecamatan Porong"  # issue 13: the day list
    assert officer.username in landing.text


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    officer = make_user("officer")
    response = client.post("/login", data={"username": officer.username,
                                           "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("lang, message", [
    ("id", "Nama pengguna atau kata sandi salah."),
    ("en", "The username or password is wrong."),
])
def test_wrong_password_is_refused_in_the_users_language(client, make_user, page, lang, message):
    officer = make_user("officer")
    refused = page(client, f"/login?lang={lang}", method="POST", status=422,
                   data={"username": officer.username, "password": "not it"})
    assert message in refused.text
    assert refused.select_one(".error-summary a")["href"] == "#password"
    assert refused.soup.find(id="password")["aria-invalid"] == "true"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, page):
    refused = page(client, "/login", method="POST", status=422,
                   data={"username": "nobody", "password": "whatever"})
    assert "Nama pengguna atau kata sandi salah." in refused.text


def test_empty_login_form_names_each_missing_field(client, page):
    refused = page(client, "/login?lang=en", method="POST", status=422, data={})
    assert "Enter your username." in refused.text
    assert "Enter your password." in refused.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_login_without_csrf_token_is_a_clear_400(client, page):
    with client.without_csrf():
        refused = page(client, "/login?lang=en", method="POST", status=400,
                       data={"username": "a", "password": "b"})
    assert "This form has expired" in refused.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_login_with_csrf_token_works(client, make_user):
    officer = make_user("officer")
    form = client.get("/login").get_data(as_text=True)
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": officer.username,
                                           "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 303


@pytest.mark.app_config(RATE_LIMITS="on")
def test_repeated_failures_are_throttled(client, make_user, page):
    officer = make_user("officer")
    for _ in range(5):
        assert client.post("/login", data={"username": officer.username,
                                           "password": "wrong"}).status_code == 422
    throttled = page(client, "/login", method="POST", status=429,
                     data={"username": officer.username, "password": TEST_PASSWORD})
    assert throttled.h1 == "Terlalu banyak percobaan"


def _attempt(client, username, password, address, lang="id"):
    return client.post(f"/login?lang={lang}", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.app_config(RATE_LIMITS="on")
def test_the_same_address_is_throttled_at_its_count_and_told_how_long_to_wait(client, make_user,
                                                                               page):
    officer = make_user("officer")
    for _ in range(5):
        assert _attempt(client, officer.username, "wrong", "198.51.100.7").status_code == 422
    throttled = _attempt(client, officer.username, TEST_PASSWORD, "198.51.100.7", lang="en")
    assert throttled.status_code == 429
    assert "Try again in 15 minutes." in throttled.get_data(as_text=True)
    assert 14 * 60 <= int(throttled.headers["Retry-After"]) <= 15 * 60
    shown = page(client, "/login?lang=id", method="POST", status=429,
                 data={"username": officer.username, "password": "wrong"},
                 environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert "Coba lagi dalam 15 menit." in shown.text


@pytest.mark.app_config(RATE_LIMITS="on")
def test_an_attacker_elsewhere_cannot_lock_the_officer_out(client, make_user):
    officer = make_user("officer")
    for _ in range(12):
        _attempt(client, officer.username, "guess", "203.0.113.66")
    assert _attempt(client, officer.username, "guess", "203.0.113.66").status_code == 429
    at_the_counter = _attempt(client, officer.username, TEST_PASSWORD, "192.0.2.10")
    assert at_the_counter.status_code == 303


@pytest.mark.app_config(RATE_LIMITS="on")
def test_signing_in_forgives_the_earlier_typos_from_that_address(client, make_user):
    officer = make_user("officer")
    for _ in range(4):
        assert _attempt(client, officer.username, "typo", "192.0.2.10").status_code == 422
    assert _attempt(client, officer.username, TEST_PASSWORD, "192.0.2.10").status_code == 303
    statuses = [_attempt(client, officer.username, "typo", "192.0.2.10").status_code
                for _ in range(6)]
    assert statuses == [422] * 5 + [429]


@pytest.mark.app_config(RATE_LIMITS="on")
def test_guessing_from_many_addresses_meets_the_per_account_ceiling(client, make_user):
    officer = make_user("officer")
    statuses = [_attempt(client, officer.username, "guess", f"203.0.113.{n}").status_code
                for n in range(10) for _ in range(5)]
    assert statuses == [422] * 50
    # 50 failures an hour per account from anywhere: the 51st try waits, even with the password.
    late = _attempt(client, officer.username, TEST_PASSWORD, "192.0.2.10")
    assert late.status_code == 429
    assert "Coba lagi dalam 60 menit." in late.get_data(as_text=True)


def test_next_only_redirects_within_the_site(client, make_user):
    officer = make_user("officer")
    for target, expected in (("/officer/", "/officer/"), ("//evil.example/", "/officer/"),
                             ("https://evil.example/", "/officer/")):
        response = client.post("/login", data={"username": officer.username,
                                               "password": TEST_PASSWORD, "next": target})
        assert response.headers["Location"] == expected


@pytest.mark.parametrize("area", ["/staff/", "/officer/", "/admin/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, area):
    response = client.get(area)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role, allowed, refused", [
    ("desa_staff", ["/staff/"], ["/officer/", "/admin/"]),
    ("officer", ["/officer/"], ["/staff/", "/admin/"]),
    ("admin", ["/staff/", "/officer/", "/admin/"], []),
])
def test_each_area_admits_only_its_roles(client, login_as, page, role, allowed, refused):
    login_as(role)
    for area in allowed:
        page(client, area)
    for area in refused:
        assert page(client, area, status=403).h1 == "Tidak diizinkan"


def test_logout_ends_the_session(client, login_as):
    login_as("officer")
    assert client.post("/logout").status_code == 303
    assert client.get("/officer/").status_code == 302


def test_deactivated_user_loses_access_at_once(client, login_as, session):
    user = login_as("officer")
    user = session.merge(user)
    user.active = False
    session.commit()
    assert client.get("/officer/").status_code == 302


@pytest.mark.app_config(BASE_URL="https://rekam.example.go.id")
def test_session_cookie_is_secure_when_served_over_https(client, make_user):
    officer = make_user("officer")
    response = client.post("/login", base_url="https://rekam.example.go.id",
                           data={"username": officer.username, "password": TEST_PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_officer_landing_page_leads_to_the_receipt_scanner(client, login_as, page):
    login_as("officer")
    landing = page(client, "/officer/")
    assert "/officer/scan" in landing.links()
