"""Profiles of Rekam's hot routes under load (issue 11), with pyinstrument inside the real server.

    .venv/bin/python -m tests.perf.profile_routes [--seconds 6] [--top 25] [--out DIR] [ROUTE ...]

Rekam runs as under `make run` (`python -m app.serve`, gunicorn 2 workers x 4 threads, no job
worker) over a fresh instance folder with the demo data and the bench offices of `make bench`
(tests/bench/rush.py). A gunicorn config given through GUNICORN_CMD_ARGS wraps each worker's
WSGI app in a middleware that profiles every request on its own thread and adds it to the
route's profile; the workers write their profiles when they stop, and this script prints the
top of each route's combined profile (pyinstrument's text, frames under 2 % left out). Load is
wrk, as in `make bench`. Profiling slows every request: compare shares, not milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

GUNICORN_CONFIG = '''
import os, threading
from pyinstrument import Profiler
from pyinstrument.session import Session

_sessions, _lock = {}, threading.Lock()

def _route(path):
    for prefix, name in (("/api/v1/bookings", "booking POST"), ("/api/v1/verify/", "verify"),
                         ("/.well-known/jwks.json", "jwks"), ("/api/v1/offices/", "slot list"),
                         ("/api/v1/offices", "offices")):
        if path.startswith(prefix):
            return name
    if path.startswith("/v/") and path.endswith("/document"):
        return "document"
    return "/" if path == "/" else None

def post_worker_init(worker):
    inner = worker.wsgi

    def profiled(environ, start_response):
        route = _route(environ.get("PATH_INFO", ""))
        if route is None:
            return inner(environ, start_response)
        profiler = Profiler(interval=0.0002, async_mode="disabled")
        profiler.start()
        try:
            body = inner(environ, start_response)
            chunks = list(body)
            if hasattr(body, "close"):
                body.close()
        finally:
            session = profiler.stop()
            with _lock:
                old = _sessions.get(route)
                _sessions[route] = session if old is None else Session.combine(old, session)
        return chunks

    worker.wsgi = profiled

def worker_exit(server, worker):
    out = os.environ["PROFILE_OUT"]
    with _lock:
        for route, session in _sessions.items():
            name = route.replace("/", "root").replace(" ", "_")
            session.save(os.path.join(out, f"{name}.{os.getpid()}.pyisession"))
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 (our own server)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _from_middleware(stack: list[str]) -> list[str]:
    for index, frame in enumerate(stack):
        if frame.startswith("profiled\x00"):
            return stack[index + 1:] or stack
    return stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--top", type=int, default=25, help="lines of each profile to print")
    parser.add_argument("--out", default=None, help="folder for the profiles (default: a temp one)")
    parser.add_argument("routes", nargs="*")
    args = parser.parse_args(argv)

    from tests.bench import rush

    work = Path(tempfile.mkdtemp(prefix="rekam-profile-"))
    out = Path(args.out or work / "profiles")
    out.mkdir(parents=True, exist_ok=True)
    (work / "gunicorn_profile.py").write_text(GUNICORN_CONFIG)
    port = free_port()
    env = dict(os.environ, RATE_LIMITS="off", INSTANCE_PATH=str(work / "instance"),
               BASE_URL=f"http://127.0.0.1:{port}", PYTHONUNBUFFERED="1", PROFILE_OUT=str(out),
               GUNICORN_CMD_ARGS=f"--config {work / 'gunicorn_profile.py'}")
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    prepared = rush.prepare(env, 200)
    server = subprocess.Popen([sys.executable, "-m", "app.serve", "--port", str(port),  # noqa: S603
                               "--workers", "2", "--threads", "4", "--no-worker"],
                              cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=(work / "server.log").open("wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base + "/")
        headers = {"Authorization": f"Bearer {prepared['token']}",
                   "Content-Type": "application/json"}
        booked = json.load(urllib.request.urlopen(urllib.request.Request(  # noqa: S310
            base + "/api/v1/bookings", method="POST", headers=headers, data=json.dumps(
                {"nik": "3515040101900001", "name": "Cek", "service": "pemula",
                 "slot_id": prepared["load_slot"]}).encode())))
        token = booked["verify_url"].rsplit("/", 1)[1]
        urllib.request.urlopen(f"{base}/v/{token}/document").read()  # noqa: S310 (rendered, stored)
        report = str(ROOT / "tests" / "bench" / "report.lua")
        loads = {
            "booking POST": ["-s", str(rush.BOOK_LUA), base + "/api/v1/bookings"],
            "slot list": [base + "/api/v1/offices/351504/slots"],
            "verify": [f"{base}/api/v1/verify/{token}"],
            "jwks": [base + "/.well-known/jwks.json"],
            "document": [f"{base}/v/{token}/document"],
            "offices": [base + "/api/v1/offices"],
            "/": ["-H", "Accept-Encoding: gzip, br", base + "/"],
        }
        wrk_env = dict(os.environ, BENCH_TOKEN=prepared["token"],
                       BENCH_SLOT=str(prepared["load_slot"]), BENCH_REPORT_LUA=report)
        for route, target in loads.items():
            if args.routes and route not in args.routes:
                continue
            done = subprocess.run(["wrk", "-t2", "-c16", f"-d{args.seconds:g}s", *target],
                                  env=wrk_env, capture_output=True, text=True, check=False)
            rate = next((line for line in done.stdout.splitlines() if "Requests/sec" in line), "")
            print(f"# load {route}: {rate.strip()} (profiled)", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    try:
        _print_profiles(loads, out, args.top)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the instance, logs and (unless --out) profiles
    return 0


def _print_profiles(loads: dict, out: Path, top: int) -> None:
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    for route in loads:
        name = route.replace("/", "root").replace(" ", "_")
        parts = [Session.load(p) for p in sorted(out.glob(f"{name}.*.pyisession"))]
        if not parts:
            continue
        session = parts[0]
        for part in parts[1:]:
            session = Session.combine(session, part)
        # One tree for all threads: drop the thread and gunicorn frames above the middleware.
        session.frame_records = [(_from_middleware(stack), time)
                                 for stack, time in session.frame_records]
        text = ConsoleRenderer(unicode=True, color=False, short_mode=True, show_all=False,
                               processor_options={"filter_threshold": 0.02}).render(session)
        lines = [line for line in text.splitlines() if line.strip()][:top]
        print(f"## {route}\n")
        print("```\n" + "\n".join(lines) + "\n```\n")


if __name__ == "__main__":
    sys.exit(main())
