"""Every stated limit holds across all workers (issue 9 §3, §4): a real gunicorn with three
workers, counters in the embedded SQLite store and, when TEST_REDIS_URL is set (`.ci/run`
always sets it), in Redis.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from bs4 import BeautifulSoup

from app.api.bookings import API_RATE
from tests.support.live_server import PASSWORD, cli, live_server
from tests.support.redis_server import needs_redis, redis_url

pytestmark = pytest.mark.xdist_group("live-limits")
OFFICER = "petugas.loket"
API_LIMIT = int(API_RATE.split()[0])  # per token per minute


STORES = [
    pytest.param("sqlite", id="sqlite-file"),
    pytest.param("redis", id="redis", marks=needs_redis),
]


@pytest.fixture(scope="module", params=STORES)
def server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"limits-{request.param}")
    url = f"sqlite:///{tmp / 'rekam.sqlite3'}"
    extra = {"RATE_LIMITS": "on"}
    if request.param == "redis":
        extra["REDIS_URL"] = redis_url(1)
    with live_server(tmp, url, users=[(OFFICER, "officer"), ("admin.kec", "admin")],
                     **extra) as live:
        live.store = request.param
        yield live


def _wrong_logins(server, username: str, count: int, address: str) -> list[int]:
    statuses = []
    for _ in range(count):  # one after another, each on a new connection (any worker)
        with server.client(address) as client:
            statuses.append(server.login(client, username, "not the password").status_code)
    return statuses


def test_the_sixth_wrong_login_is_refused_whichever_worker_answers(server):
    statuses = _wrong_logins(server, OFFICER, 9, "127.0.0.3")
    assert statuses == [422] * 5 + [429] * 4, server.log_tail()
    with server.client("127.0.0.3") as client:
        throttled = server.login(client, OFFICER, PASSWORD)
    assert throttled.status_code == 429
    assert "Coba lagi dalam 15 menit" in throttled.text
    assert 14 * 60 <= int(throttled.headers["Retry-After"]) <= 15 * 60


def test_parallel_wrong_logins_get_exactly_five_tries(server):
    """Guesses sent at once, over every worker and thread, still get five answers in all."""
    clients = [server.client("127.0.0.5") for _ in range(12)]
    forms = []
    for client in clients:  # each a browser with the sign-in page open
        page = BeautifulSoup(client.get("/login").text, "html.parser")
        forms.append(page.select_one('input[name="csrf_token"]')["value"])
    start = threading.Barrier(len(clients))

    def guess(i):
        start.wait()
        return clients[i].post("/login", data={"username": "admin.kec", "password": f"guess {i}",
                                               "csrf_token": forms[i]}).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = sorted(pool.map(guess, range(len(clients))))
    for client in clients:
        client.close()
    assert statuses == [422] * 5 + [429] * 7, server.log_tail()


def test_an_attacker_elsewhere_cannot_lock_the_officer_out(server):
    assert _wrong_logins(server, "admin.kec", 8, "127.0.0.4") == [422] * 5 + [429] * 3
    with server.client("127.0.0.1") as officer:
        signed_in = server.login(officer, "admin.kec", PASSWORD)
        assert signed_in.status_code == 303
        assert officer.get("/admin/").status_code == 200


def test_an_api_token_gets_exactly_its_stated_calls_per_minute(server):
    token = cli(server.env, "api-token", "officer", "--office", "351504").strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}

    def call(_):
        with server.client() as client:
            return client.get("/api/v1/bookings/ZZZZZZZZ", headers=headers).status_code

    with ThreadPoolExecutor(6) as pool:  # at once, over all workers
        statuses = list(pool.map(call, range(API_LIMIT + 12)))
    assert statuses.count(429) == 12
    assert len(statuses) - statuses.count(429) == API_LIMIT


def test_the_counters_live_where_the_configuration_says(server):
    counters = server.instance / "ratelimits.sqlite3"
    if server.store == "redis":
        import redis

        assert redis.Redis.from_url(server.env["REDIS_URL"]).dbsize() > 0
        assert not counters.exists()
    else:
        assert counters.exists()
        assert counters.stat().st_mode & 0o077 == 0
