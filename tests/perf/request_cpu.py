"""CPU per request of the hot routes, in one process (issue 11): less at the mercy of a shared
machine than req/s under wrk, since it counts this process's CPU time, not the wall clock.

    .venv/bin/python -m tests.perf.request_cpu [--n 300]

The app over a fresh SQLite file with the demo data and the bench offices (tests/bench/rush.py),
through Flask's test client (no HTTP server, no wrk): each route warmed, then called n times;
the median of 5 rounds of CPU ms per request, and the same for a bare Flask "hello".
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time

from flask import Flask


def _cpu_ms(call, n: int) -> float:
    rounds = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(n):
            call()
        rounds.append((time.process_time() - start) * 1000 / n)
    return statistics.median(rounds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args(argv)

    from app import create_app
    from app.db import database
    from app.domain.demo import seed_demo
    from app.migrate import upgrade
    from tests.bench import rush

    tmp = tempfile.mkdtemp(prefix="rekam-cpu-")
    url = f"sqlite:///{tmp}/rekam.sqlite3"
    upgrade(url)
    settings = {"DATABASE_URL": url, "INSTANCE_PATH": tmp, "RATE_LIMITS": "off",
                "BASE_URL": "http://127.0.0.1"}
    app = create_app(settings)
    with app.app_context(), database().session() as session:
        seed_demo(session)
        session.commit()
    prepared = rush.prepare({**settings}, 200)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {prepared['token']}"}
    counter = iter(range(1, 10**6))

    def book():
        n = next(counter)
        nik = f"351504{1 + n // 9999 % 28:02d}0180{1 + n % 9999:04d}"
        return client.post("/api/v1/bookings", headers=auth, json={
            "nik": nik, "name": "Peserta", "service": "pemula", "slot_id": prepared["load_slot"]})

    first = book()
    assert first.status_code == 201, first.get_data(as_text=True)
    token = first.json["verify_url"].rsplit("/", 1)[1]
    client.get(f"/v/{token}/document")
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "Hello, World!")
    bare_client = bare.test_client()
    routes = {
        "bare Flask GET /": lambda: bare_client.get("/"),
        "POST /api/v1/bookings": book,
        "GET /api/v1/offices/351504/slots": lambda: client.get("/api/v1/offices/351504/slots"),
        "GET /api/v1/verify/{token}": lambda: client.get(f"/api/v1/verify/{token}"),
        "GET /.well-known/jwks.json": lambda: client.get("/.well-known/jwks.json"),
        "GET /v/{token}/document": lambda: client.get(f"/v/{token}/document"),
        "GET /api/v1/offices": lambda: client.get("/api/v1/offices"),
        "GET / (gzip, br)": lambda: client.get("/", headers={"Accept-Encoding": "gzip, br"}),
        "GET /": lambda: client.get("/"),
    }
    base = None
    for name, call in routes.items():
        answer = call()
        assert answer.status_code < 400, (name, answer.status_code)
        ms = _cpu_ms(call, args.n)
        base = base or ms
        print(f"| {name} | {ms:.3f} | {base / ms:.2f} |")
    app.extensions["rekam_db"].dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
