"""Issue 11's rows for `make bench`: the issue's table (every row against the bare Flask baseline
of the same run), the kabupaten-sized database (`--scale`) and two servers behind one PostgreSQL
and one Redis (`scale-out`).

Each row of the table is one function (`@row`, see run.py); the PostgreSQL and redis-server they
need are started by the bench itself (tests/bench/services.py) and stopped when it ends.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import secrets
import sys
import time
from datetime import date, timedelta

from tests.bench import rush, services
from tests.bench.run import (
    BASELINE,
    GZIP_BR,
    PAGE_WEIGHT_GOAL,
    THREADS,
    WORKERS,
    Bench,
    Load,
    Page,
    Row,
    Section,
    case,
    fetch,
    kb,
    row,
    row_table,
    say,
)

TABLE = "issue11"
CLIENTS, PLACES = 1000, 200
RUSH_P95_MS = 1000
PORONG = "351504"


def _week() -> str:
    start = date.today() + timedelta(days=2)
    return f"from={start.isoformat()}&to={(start + timedelta(days=6)).isoformat()}"


def _loads(server: str, token: str, admin: str, slot: int, label: str = "") -> dict[str, Load]:
    """The table's loads against one server; `token` a receipt token whose document is stored."""
    auth = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    book_env = {"BENCH_TOKEN": admin, "BENCH_SLOT": str(slot)}
    check = json.dumps({"nik": "3515040101900001", "name": "Cek", "service": "pemula",
                        "slot_id": slot}).encode()
    return {
        "book": Load(f"{label}`POST /api/v1/bookings`", server, "/api/v1/bookings",
                     method="POST", body=check, headers=auth, expect=(201,), goal="≥ 0.10",
                     script=rush.BOOK_LUA, env=book_env),
        "slots": Load(f"{label}`GET /api/v1/offices/{PORONG}/slots` (a week)", server,
                      f"/api/v1/offices/{PORONG}/slots?{_week()}", goal="≥ 0.30"),
        "verify": Load(f"{label}`GET /api/v1/verify/{{token}}`", server,
                       f"/api/v1/verify/{token}", goal="≥ 0.40"),
        "jwks": Load(f"{label}`GET /.well-known/jwks.json`", server, "/.well-known/jwks.json",
                     goal="≥ 0.60"),
        "document": Load(f"{label}`GET /v/{{token}}/document` (stored bytes)", server,
                         f"/v/{token}/document", goal="≥ 0.50"),
        "offices": Load(f"{label}`GET /api/v1/offices`", server, "/api/v1/offices",
                        goal="≥ 0.50"),
        "home_gzip": Load(f"{label}`GET /` with `Accept-Encoding: gzip, br`", server, "/",
                          headers=GZIP_BR, goal="≥ 0.50"),
        "home": Load(f"{label}`GET /` uncompressed", server, "/"),
    }


def _prepared(bench: Bench) -> dict:
    app = bench.server("app")
    return bench.once("prepared", lambda: rush.prepare(app.env, PLACES))


def demo_loads(bench: Bench) -> dict:
    """The loads on the demo database (made once per run): a receipt booked through the API and
    its document downloaded once (rendered, signed, stored), then served as stored bytes."""
    def make() -> dict:
        from tests.bench import documents

        app = bench.server("app")
        prepared = _prepared(bench)
        booked = documents.book_one(app.url, prepared["token"], prepared["load_slot"], 9001)
        token = booked["verify_url"].rsplit("/v/", 1)[1]
        fetch(booked["receipt_url"])
        loads = _loads("app", token, prepared["token"], prepared["load_slot"])
        # All in one pass (each round: bare Flask, then every load), so the baseline is run
        # once per round, not once per row.
        bench.measure(list(loads.values()))
        return {**loads, "token": token}

    return bench.once("demo_loads", make)


# --- the table --------------------------------------------------------------------------


def _rush_row(result: rush.RushResult, check: tuple[bool, str], places: int) -> Row:
    booked = result.statuses.get(201, 0)
    five = sum(n for status, n in result.statuses.items() if status >= 500)
    p95 = result.percentile(95)
    exact = booked == places and five == 0 and not result.errors
    notes = [f"{result.statuses.get(409, 0)} × 409", f"p50 {result.p50:.0f} ms",
             f"all answered in {result.seconds:.1f} s",
             f"booking-check: {'no drift' if check[0] else 'DRIFT: ' + check[1]}"]
    notes += [f"{n} × {kind}" for kind, n in result.errors.items()]
    notes += [f"{n} × HTTP {s}" for s, n in result.statuses.items() if s not in (201, 409)]
    return Row(f"{booked} booked, {five} × 5xx, **p95 {p95 / 1000:.1f} s**",
               exact and check[0] and p95 <= RUSH_P95_MS, "; ".join(notes))


@row(TABLE, "bare Flask `GET /` (the baseline)", "baseline")
def baseline(bench: Bench) -> Row:
    # Taken in the rounds of the table's loads (each round: bare Flask, then every load), not
    # in rounds of its own before them: the same figure, a pass fewer.
    try:
        demo_loads(bench)
    except Exception as error:  # e.g. --self-test, where the bare app has no bookings API
        say(f"the table's loads failed ({error}): the baseline alone")
    bench.measure([BASELINE])
    runs = bench.results[BASELINE]
    swing = max(r.rps for r in runs) / max(1.0, min(r.rps for r in runs))
    return Row(f"{bench.rps(BASELINE):,.0f} req/s", None,
               "rounds " + " / ".join(f"{r.rps:,.0f}" for r in runs)
               + ("; **the machine's speed drifted: ratios are rough**" if swing > 1.3 else ""))


@row(TABLE, f"rush: {CLIENTS:,} concurrent clients, {PLACES} places, SQLite",
     f"exactly {PLACES}, 0 × 5xx, p95 ≤ 1 s; booking-check: no drift")
def rush_sqlite(bench: Bench) -> Row:
    app = bench.server("app")
    prepared = _prepared(bench)
    result = rush.rush(app.url, prepared["token"], prepared["rush_slot"], CLIENTS)
    return _rush_row(result, bench.booking_check(app.env), PLACES)


@row(TABLE, "the same on PostgreSQL (started by the bench)",
     f"exactly {PLACES}, 0 × 5xx, p95 ≤ 1 s; booking-check: no drift")
def rush_postgres(bench: Bench) -> Row:
    pg = bench.postgres()
    port = services.free_port()
    env = bench.env(port)
    env["DATABASE_URL"] = pg.url("rekam_bench_rush")
    bench.seed(env)
    server = bench.start_app("app-postgres", env, port)
    prepared = rush.prepare(env, PLACES)
    result = rush.rush(server.url, prepared["token"], prepared["rush_slot"], CLIENTS)
    out = _rush_row(result, bench.booking_check(env), PLACES)
    out.notes += f"; PostgreSQL {pg.version}"
    server.stop(wait=False)  # its CPU back for the rows after it
    return out


def _ratio_row(key: str):
    def measure(bench: Bench) -> Row:
        return bench.ratio_row(demo_loads(bench)[key])

    return measure


row(TABLE, "`POST /api/v1/bookings` (each a new booking, 201)", "≥ 0.10")(_ratio_row("book"))
row(TABLE, f"`GET /api/v1/offices/{{code}}/slots` (a week of {PORONG})", "≥ 0.30")(
    _ratio_row("slots"))
row(TABLE, "`GET /api/v1/verify/{token}`", "≥ 0.40")(_ratio_row("verify"))
row(TABLE, "`GET /.well-known/jwks.json`", "≥ 0.60")(_ratio_row("jwks"))


@row(TABLE, "`GET /v/{token}/document` (stored bytes)",
     "≥ 0.50, and a repeat with `If-None-Match` is a 304")
def document(bench: Bench) -> Row:
    loads = demo_loads(bench)
    measured = bench.ratio_row(loads["document"])
    url = bench.server("app").url + loads["document"].path
    first = fetch(url)
    etag = first.headers.get("etag")
    tag = etag or '"' + hashlib.sha256(first.raw).hexdigest() + '"'
    again = fetch(url, {"If-None-Match": tag})
    measured.now += f"; repeat with `If-None-Match`: **{again.status}**"
    measured.notes += (f"; first answer {first.status}, ETag {etag or 'none (sent its SHA-256)'}, "
                       f"Cache-Control `{first.headers.get('cache-control', 'none')}`")
    if again.status != 304:
        measured.met = False
    return measured


row(TABLE, "`GET /api/v1/offices`", "≥ 0.50")(_ratio_row("offices"))
row(TABLE, "`GET /` with `Accept-Encoding: gzip, br`", "≥ 0.50")(_ratio_row("home_gzip"))


@row(TABLE, "`GET /` uncompressed", "— (compression should cost little)")
def home_plain(bench: Bench) -> Row:
    loads = demo_loads(bench)
    plain = bench.ratio_row(loads["home"])
    packed, unpacked = bench.ratio(loads["home_gzip"]), bench.ratio(loads["home"])
    if packed and unpacked:
        plain.notes += f"; compressed ÷ uncompressed: {packed / unpacked:.2f}"
    return plain


@row(TABLE, "page weight of `/` (bytes on the wire, gzip/br)", f"≤ {kb(PAGE_WEIGHT_GOAL)}")
def page_weight(bench: Bench) -> Row:
    cells, _detail = bench.page_weight(Page("Rekam `/`", "/"))
    return Row(f"{cells[7]} in {cells[1]} requests", "NOT met" not in cells[8],
               f"HTML {cells[2]}, CSS {cells[3]}, JS {cells[4]}, images {cells[5]}")


def _table_notes(bench: Bench) -> list[str]:
    return [
        f"\"now\" is req/s and, in bold, the ratio to bare Flask: the median over "
        f"{min(bench.rounds, bench.duration)} rounds of each round's req/s divided by bare "
        f"Flask's in the round just before (`wrk -t2 -c32`, {bench.duration:g} s per URL in "
        f"all). Rekam as `make run` serves it ({WORKERS} workers × {THREADS} threads, gunicorn "
        "gthread) with `RATE_LIMITS=off`, SQLite in a fresh instance folder, demo data.",
        f"Rush: {CLIENTS:,} connections to 127.0.0.1 opened first, then every one POSTs "
        f"`/api/v1/bookings` (admin token, its own NIK) for one slot of {PLACES} places at the "
        "same moment; p95 from each request's first byte to the end of its answer. "
        "`flask booking-check` (every slot's counters against a recount of its bookings) runs "
        "after each rush. PostgreSQL: a throwaway cluster the bench starts (initdb, "
        "`fsync=off`, as `.ci/run`), removed at the end.",
        "Booking POST: each request a new NIK (`tests/bench/book.lua`), so each is a real "
        "booking with its signed receipt token. Document: a receipt booked through the API, "
        "downloaded once (rendered, PAdES-signed, stored), then served as stored bytes.",
    ]


row_table(TABLE, "Issue 11: the rush, the hot routes, the base cost", _table_notes)


# --- the kabupaten-sized database (--scale) -----------------------------------------------------

SCALE_KEYS = ("book", "slots", "verify", "jwks", "document", "offices", "home_gzip")


@case("scale", "Kabupaten-sized database (issue 11, `--scale`)", optional="--scale")
def scale_case(bench: Bench) -> Section:
    from tests.bench import explain, scale

    folder = bench.folder("scale")
    port = services.free_port()
    env = dict(bench.env(port), INSTANCE_PATH=str(folder))
    pg = bench.postgres()
    pg_env = dict(env, DATABASE_URL=pg.url("rekam_scale"))
    bench.seed(env, pg_env)
    say(f"generating a kabupaten ({bench.args.scale_bookings:,} bookings) into SQLite and "
        "PostgreSQL")
    load = os.getloadavg()[0]
    made = scale.generate(_settings(env), also=(_settings(pg_env),),
                          bookings=bench.args.scale_bookings)
    say(f"generated in {made.seconds:.1f}s: "
        + ", ".join(f"{k} {v:.1f}s" for k, v in made.phases.items()))
    # booking-check (a process of its own) while the server starts and the bench office, token
    # and the sample's document are made: nothing of it is measured.
    def check() -> tuple[tuple[bool, str], float]:
        started = time.monotonic()
        return bench.booking_check(env), time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        checking = pool.submit(check)
        bench.start_app("scale", env, port)
        prepared = rush.prepare(env, 10)
        fetch(bench.servers["scale"].url + f"/v/{made.sample_token}/document")  # render, store
        drift, check_seconds = checking.result()
    scale_loads = _loads("scale", made.sample_token, prepared["token"], prepared["load_slot"],
                         "kabupaten: ")
    demo = demo_loads(bench)
    bench.measure([demo[k] for k in SCALE_KEYS])  # measured once per run (the table)
    # The kabupaten's loads: the same rounds, shorter (the whole run must stay near 5 minutes).
    bench.measure([scale_loads[k] for k in SCALE_KEYS],
                  duration=min(bench.duration, max(bench.rounds, bench.duration // 2)))
    rows = []
    for key in SCALE_KEYS:
        d, k = bench.ratio(demo[key]), bench.ratio(scale_loads[key])
        if d is None or k is None:
            why = bench.failures.get(demo[key]) or bench.failures.get(scale_loads[key]) or "—"
            rows.append([demo[key].label, "—", "—", "—", f"not measured: {why}"])
            continue
        change = k / d
        ok = 0.75 <= change <= 1.25
        rows.append([demo[key].label, f"{d:.2f}", f"{k:.2f}", f"{change:.2f}",
                     "met" if ok else "**NOT met**"])
    pg_prepared = rush.prepare(pg_env, 10)
    plans = explain.hot_plans([(_settings(env), prepared), (_settings(pg_env), pg_prepared)],
                              made.sample_token, PORONG, _week())
    scans = [p for p in plans if p.scans]
    bench.servers.pop("scale").stop(wait=False)
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in made.phases.items())
    notes = [
        f"Generated by `tests/bench/scale.py` in {made.seconds:.0f} s ({made.processes} worker "
        f"processes; load average {load:.1f} before): "
        f"{made.offices} offices of Kabupaten Sidoarjo, {made.slots:,} slots (a year behind, "
        f"the booking horizon ahead), **{made.bookings:,} bookings** and as many receipts as "
        "signed tokens (no PDFs), in bulk: every row planned first and the ids assigned, the "
        "tokens signed and the rows loaded by the workers (a SQLite file per chunk, merged with "
        "`INSERT … SELECT`; PostgreSQL `COPY`), the indexes, constraints and content-stamp "
        "triggers made again after; the same rows into both. Its phases: "
        f"{phases}. `booking-check` on it (while the server started): "
        f"{'no drift' if drift[0] else 'DRIFT: ' + drift[1]} ({check_seconds:.1f} s).",
        f"Ratios to bare Flask (median of each round's ratio, {bench.rounds} rounds) on the "
        "demo database (the issue's table's loads, in the same run) "
        "and on the kabupaten, both SQLite under the same server; goal: the kabupaten's within "
        "25 % of the demo's (0.75–1.25). The kabupaten's routes: Porong's week (a year of "
        "bookings behind it), a generated receipt's token, its document after one download.",
        f"Hot queries: every statement these routes send, captured in-process "
        f"(`tests/bench/explain.py`) and explained on the kabupaten, SQLite "
        f"(`EXPLAIN QUERY PLAN`) and PostgreSQL {pg.version} (`EXPLAIN`, after `ANALYZE`). "
        + (f"**{len(scans)} scan(s) of a large table**: "
           + "; ".join(f"{p.route} on {p.dialect}: {p.short}" for p in scans)
           if scans else "No statement scans a large table (booking, receipt, slot, outbox, "
           "audit_log): each is an index search."),
    ]
    return Section(["route", "demo ratio", "kabupaten ratio", "kabupaten ÷ demo",
                    "within 25 %"], rows, notes, details=explain.render(plans))


def _settings(env: dict[str, str]) -> dict[str, str]:
    keys = ("INSTANCE_PATH", "BASE_URL", "RATE_LIMITS", "DATABASE_URL", "SECRET_KEY", "DATA_KEY",
            "REDIS_URL")
    return {k: env[k] for k in keys if env.get(k)}


# --- two servers, one PostgreSQL, one Redis -----------------------------------------------------

OUT_CLIENTS, OUT_PLACES, OUT_TOKENS = 600, 150, 4
VERIFY_LIMIT = 120  # app/api/verify.py: 120 per minute per address


@case("scale-out", "Two servers, one PostgreSQL, one Redis (issue 11)")
def scale_out_case(bench: Bench) -> Section:
    return scale_out(bench)


def scale_out(bench: Bench, clients: int = OUT_CLIENTS, places: int = OUT_PLACES,
              tokens_used: int = OUT_TOKENS) -> Section:
    """The section; its sizes are arguments so that the smoke test runs it small (places: a
    multiple of 10, see rush.prepare)."""
    pg, redis = bench.postgres(), bench.redis()
    database = pg.url("rekam_scale_out")
    shared = {"SECRET_KEY": secrets.token_hex(32), "DATA_KEY": secrets.token_hex(32),
              "DATABASE_URL": database, "REDIS_URL": redis.url(0), "RATE_LIMITS": "on"}
    ports, envs = [], []
    for name in ("a", "b"):
        ports.append(services.free_port())
        envs.append(dict(bench.env(ports[-1]), **shared,
                         INSTANCE_PATH=str(bench.folder(f"server-{name}"))))
    bench.seed(envs[0])  # one database for both
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # both servers start at once
        servers = list(pool.map(lambda n: bench.start_app(f"rekam-{'ab'[n]}", envs[n], ports[n]),
                                range(2)))
    a, b = servers
    prepared = rush.prepare(envs[0], places)
    tokens = [prepared["token"]] + [rush.prepare(envs[0], places)["token"]
                                    for _ in range(tokens_used - 1)]
    # Each token stays under the booking API's 300 a minute; clients alternate the servers.
    targets = [(servers[i % 2].url, tokens[i % tokens_used]) for i in range(tokens_used * 2)]
    result = rush.rush_split(targets, prepared["rush_slot"], clients)
    drift = bench.booking_check(envs[0])
    booked = result.statuses.get(201, 0)
    five = sum(n for s, n in result.statuses.items() if s >= 500)
    by_server = {s.url: result.by_target.get(s.url, {}).get(201, 0) for s in servers}
    rows = [["rush split across both: "
             f"{clients} clients, {places} places",
             f"**{booked} booked** (a {by_server[a.url]}, b {by_server[b.url]}), {five} × 5xx, "
             f"p95 {result.percentile(95) / 1000:.1f} s",
             f"exactly {places}, 0 × 5xx; booking-check: no drift",
             "met" if booked == places and not five and not result.errors and drift[0]
             else "**NOT met**",
             f"booking-check: {'no drift' if drift[0] else 'DRIFT: ' + drift[1]}; "
             + ", ".join(f"{n} × {s}" for s, n in sorted(result.statuses.items(), key=str))]]
    # Receipts issued by one server verify on the other (the API says genuine and valid).
    crossed = {"a→b": [0, 0], "b→a": [0, 0]}
    for issuer, checker, key in ((a, b, "a→b"), (b, a, "b→a")):
        for token in result.tokens.get(issuer.url, [])[:10]:
            api = fetch(f"{checker.url}/api/v1/verify/{token}")
            answer = json.loads(api.raw) if api.status == 200 else {}
            crossed[key][0] += 1
            crossed[key][1] += answer.get("genuine") is True and answer.get("status") == "valid"
    # Which server a rush's winners reached is the rush's to decide (a tiny one may book all
    # its places on one): every receipt must verify on the other, in whichever direction.
    cross_ok = sum(n for n, _ok in crossed.values()) > 0 and all(
        ok == n for n, ok in crossed.values())
    rows.append(["receipts issued on one, verified on the other",
                 ", ".join(f"{k}: {ok} of {n}" for k, (n, ok) in crossed.items()),
                 "every one genuine", "met" if cross_ok else "**NOT met**",
                 "`GET /api/v1/verify/{token}` on the other server: genuine, valid"])
    # Rate limits counted once: more verify calls than the limit, alternating the servers.
    token = next(iter(result.tokens.get(a.url, []) or result.tokens.get(b.url, [])), None)
    sent, statuses = VERIFY_LIMIT + 40, {}
    per_server = {a.url: {}, b.url: {}}
    used = sum(n for n, _ok in crossed.values())  # the API checks above count in the same window
    for i in range(sent):
        server = servers[i % 2]
        got = fetch(f"{server.url}/api/v1/verify/{token}")
        statuses[got.status] = statuses.get(got.status, 0) + 1
        per_server[server.url][got.status] = per_server[server.url].get(got.status, 0) + 1
    allowed = statuses.get(200, 0)
    expected = max(0, VERIFY_LIMIT - used)
    rows.append([f"rate limit counted once: {sent} `GET /api/v1/verify/{{token}}`, "
                 "alternating a and b",
                 f"**{allowed} × 200**, {statuses.get(429, 0)} × 429 "
                 f"(a: {per_server[a.url].get(200, 0)} × 200, "
                 f"b: {per_server[b.url].get(200, 0)} × 200)",
                 f"{VERIFY_LIMIT} a minute per address across both: {expected} × 200 after the "
                 f"{used} API checks above",
                 "met" if allowed == expected else "**NOT met**",
                 f"counted apart, each server would allow {VERIFY_LIMIT}: "
                 f"{min(sent, 2 * VERIFY_LIMIT - used)} × 200"])
    for server in servers:
        server.stop(wait=False)
    return Section(["measure", "result", "goal", "met", "notes"], rows, [
        "Two Rekam servers, each `python -m app.serve` (2 workers × 4 threads, its job worker "
        "beside it) in a process and instance folder of its own, with the same `SECRET_KEY` and "
        "`DATA_KEY`, one PostgreSQL database and one redis-server (`REDIS_URL`: rate-limit "
        "counters and the job queue), all started by the bench and stopped at its end. "
        f"`RATE_LIMITS=on`: the rush uses {tokens_used} admin tokens so that none passes the "
        "booking API's 300 a minute; its clients alternate the two servers.",
    ])


for _name in [n for n in list(sys.modules["tests.bench.run"].CASES) if n != TABLE]:
    # The table first in BENCHMARKS.md, then the sections in their order.
    _cases = sys.modules["tests.bench.run"].CASES
    _cases[_name] = _cases.pop(_name)
