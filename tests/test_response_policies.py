"""Small promises of issue 9 §11: assets cached for a year without revalidation, HSTS over
HTTPS, and a database file only its owner can read."""

from __future__ import annotations

import stat

import pytest
from bs4 import BeautifulSoup

from app import create_app
from app.migrate import upgrade


def _app(tmp_path, **extra):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/rekam.sqlite3",
                       "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                       "SECRET_KEY": "s", "DATA_KEY": "d", **extra})


def test_versioned_assets_are_kept_a_year_without_revalidating(client):
    home = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    icon = home.select_one('link[rel="icon"]')["href"]
    css = home.select_one('link[rel="stylesheet"]')["href"]
    for url in (icon, css):
        assert "?v=" in url  # the favicon too: a new icon gets a new address
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get(css.split("?")[0])  # no version: the browser must ask again
    assert "immutable" not in plain.headers["Cache-Control"]
    missing = client.get("/static/css/none.css?v=1")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get(
        "Cache-Control", "")


@pytest.mark.parametrize("base_url,hsts", [("https://rekam.example.go.id", True),
                                           ("http://127.0.0.1:5000", False)])
def test_hsts_is_sent_when_served_over_https(tmp_path, base_url, hsts):
    answer = _app(tmp_path, BASE_URL=base_url).test_client().get("/healthz")
    if hsts:
        assert answer.headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"
    else:
        assert "Strict-Transport-Security" not in answer.headers


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_file_and_its_journal_are_readable_by_the_owner_only(tmp_path):
    database = tmp_path / "rekam.sqlite3"
    upgrade(f"sqlite:///{database}")  # `make run` migrates first: that creates the file
    assert _mode(database) == 0o600
    app = _app(tmp_path)
    assert app.test_client().get("/healthz").status_code == 200  # a write: -wal and -shm
    for suffix in ("-wal", "-shm"):
        journal = tmp_path / f"rekam.sqlite3{suffix}"
        if journal.exists():
            assert _mode(journal) == 0o600


def test_a_database_file_made_before_the_rule_is_closed_up(tmp_path):
    database = tmp_path / "rekam.sqlite3"
    upgrade(f"sqlite:///{database}")
    database.chmod(0o644)
    _app(tmp_path)
    assert _mode(database) == 0o600


def test_the_job_queue_file_is_readable_by_the_owner_only(tmp_path, monkeypatch):
    from app import jobs

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    jobs._make_huey()
    assert _mode(tmp_path / "jobs.sqlite3") == 0o600
