"""Fixtures as in Flaskr: app, client, runner — over a real, migrated database.

Each test runs inside a transaction that is rolled back at its end. Tests that need committed
data (races, the live server) make a database of their own with `fresh_database`.
"""

from __future__ import annotations

import os

import pytest
from argon2 import PasswordHasher, profiles
from sqlmodel import Session

from app import create_app
from app.db import database
from app.domain import accounts
from app.domain.demo import seed_demo
from app.migrate import upgrade
from tests.support.bound_database import bind
from tests.support.csrf_client import CsrfClient
from tests.support.databases import fresh_database
from tests.support.pages import fetch

TEST_PASSWORD = "correct horse battery"


def pytest_configure(config):
    os.environ.setdefault("RATE_LIMITS", "off")
    # Production argon2 costs ~0.1-0.5 s a hash; tests hash hundreds of passwords.
    accounts.use_password_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture(scope="session")
def worker_name(worker_id) -> str:
    return f"test_{worker_id}"


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(worker_name, tmp_path_factory) -> str:
    """One migrated database with the demo offices for the whole test session."""
    url = fresh_database(worker_name, tmp_path_factory.mktemp("db"))
    upgrade(url)
    app = create_app(_settings(url, tmp_path_factory.mktemp("seed")))
    with app.app_context():
        with database().session() as session:
            seed_demo(session)
            session.commit()
        database().dispose()
    return url


def _settings(url: str, instance, **extra) -> dict:
    return {
        "DATABASE_URL": url, "INSTANCE_PATH": str(instance), "TESTING": True,
        "RATE_LIMITS": "off", "BASE_URL": "http://rekam.test",
        "SECRET_KEY": "test-secret", "DATA_KEY": "test-data-key", **extra,
    }


def _bound_app(database_url, instance_dir, **extra):
    app = create_app(_settings(database_url, instance_dir, **extra))
    app.test_client_class = CsrfClient  # CSRF on, as in production; the client sends the token
    yield from bind(app)


@pytest.fixture
def app(request, database_url, instance_dir):
    """The app in a rolled-back transaction, CSRF on; `@pytest.mark.app_config(KEY=value)`
    adjusts it, e.g. RATE_LIMITS="on" for limits, WTF_CSRF_ENABLED=False to turn CSRF off."""
    from app.extensions import limiter

    marker = request.node.get_closest_marker("app_config")
    extra = dict(marker.kwargs) if marker else {}
    for application in _bound_app(database_url, instance_dir, **extra):
        if extra.get("RATE_LIMITS") == "on":
            limiter.reset()  # fresh in-memory counters for each test
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app) -> Session:
    """A session in the test's transaction, for arranging data and checking results.

    No app context is held open: requests would share it, and with it `g`.
    """
    yield app.extensions["rekam_db"].session()


@pytest.fixture
def page():
    """page(client, url, status=200, ...) fetches and checks an HTML page."""
    return fetch


@pytest.fixture
def make_user(session):
    def make(role: str = "officer", username: str | None = None, office_code="351504",
             desa_code=None):
        if role == "desa_staff" and desa_code is None:
            desa_code = "3515041003"
        if role in ("desa_staff",):
            office_code = None
        user = accounts.create_user(session, username or f"{role}-{os.urandom(3).hex()}",
                                    TEST_PASSWORD, role, office_code, desa_code)
        session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    def login(role: str = "officer", **kwargs):
        user = make_user(role, **kwargs)
        response = client.post("/login", data={"username": user.username,
                                               "password": TEST_PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return user

    return login


@pytest.fixture
def api_token(session):
    """api_token(role, office=…, desa=…) → the bearer header for a fresh token."""

    def mint(role: str = "kiosk", office: str | None = "351504", desa: str | None = None):
        if role == "desa_staff":
            office, desa = None, desa or "3515041003"
        _token, secret = accounts.mint_token(session, role, office, desa)
        session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return mint
