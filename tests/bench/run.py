"""`make bench`: throughput, latency and page weight of Rekam, written into BENCHMARKS.md.

    python -m tests.bench.run                  # every case, BENCHMARKS.md regenerated
    python -m tests.bench.run --scale          # and the kabupaten-sized database (make bench ARGS=--scale)
    python -m tests.bench.run --only page-weight
    BENCH_QUICK=1 python -m tests.bench.run    # 3 s per load instead of 10 s
    python -m tests.bench.run --self-test      # the bare app stands in for Rekam; no BENCHMARKS.md
    python -m tests.bench.run --list

Rekam runs exactly as under `make run` (`python -m app.serve`, gunicorn, 2 workers x 4 threads)
with RATE_LIMITS=off, a throwaway INSTANCE_PATH and DATABASE_URL unset (SQLite), after
`flask --app wsgi seed-demo`. A bare Flask "hello" app (tests/bench/bare.py) runs beside it
under gunicorn with the same workers and threads: absolute figures move from run to run, the
ratio to it much less. Load comes from Debian's wrk (`wrk -t2 -c32 -d10s --latency`).

Adding a measure: a row is one function, `@row("table", "measure", "goal")` on
`def my_row(bench: Bench) -> Row` (`bench.ratio_row(Load(...))` gives the ratio to bare Flask),
and `row_table("table", "Title")` once makes that table a section (issue 11's rows are in
tests/bench/issue11.py). A whole section of its own: `def my_case(bench: Bench) -> Section`
decorated with `@case("name", "Title")`. A page for page weight: append a Page to PAGES.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import gzip
import html.parser
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OUT = HERE / "out"  # server logs and raw wrk output (git-ignored)
REPORT_LUA = HERE / "report.lua"
BENCHMARKS = ROOT / "BENCHMARKS.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

WORKERS, THREADS = 2, 4
WRK_THREADS, WRK_CONNECTIONS = 2, 32
GZIP_BR = {"Accept-Encoding": "gzip, br"}
PAGE_WEIGHT_GOAL = 60 * 1024


# --------------------------------------------------------------------------------------------
# What is measured. Later issues append here.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # hashed by identity: results are cached per Load
class Load:
    """One wrk run against one URL of one server ("app" = Rekam, "bare" = bare Flask)."""

    label: str
    server: str
    path: str
    method: str = "GET"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: tuple[int, ...] = (200,)
    goal: str = "—"
    script: Path = REPORT_LUA  # a custom script must print the same BENCH line (see report.lua)
    env: dict[str, str] = field(default_factory=dict)  # for the wrk script (e.g. book.lua)


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    goal_bytes: int = PAGE_WEIGHT_GOAL


BASELINE = Load("bare Flask `GET /`", "bare", "/", goal="baseline")

PAGES = [
    Page("Rekam `/`", "/"),
    Page("Rekam `/login`", "/login"),
]


# --------------------------------------------------------------------------------------------
# Cases: named functions returning a Section; --only NAME picks some.
# --------------------------------------------------------------------------------------------


@dataclass
class Section:
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)  # Markdown paragraphs after the table
    details: str = ""  # more Markdown after the notes (e.g. a breakdown)


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    func: Callable[[Bench], Section]
    optional: str = ""  # a flag (e.g. "--scale") that runs it; otherwise only --only NAME


CASES: dict[str, Case] = {}


def case(name: str, title: str, optional: str = "") -> Callable[[Callable[[Bench], Section]],
                                                                Callable[[Bench], Section]]:
    def register(func: Callable[[Bench], Section]) -> Callable[[Bench], Section]:
        CASES[name] = Case(name, title, func, optional)
        return func

    return register


# Rows: one measure is one function. `@row("table", "measure", "goal")` on a function taking the
# Bench and returning a Row adds a line to that table; `row_table("table", "Title")` makes the
# table a section of BENCHMARKS.md (a case named after it). Later issues add their rows so.


@dataclass
class Row:
    now: str  # the measured value, as shown
    met: bool | None = None  # None: no goal, or nothing to judge
    notes: str = ""


@dataclass(frozen=True)
class RowSpec:
    table: str
    measure: str
    goal: str
    func: Callable[[Bench], Row]


ROWS: dict[str, list[RowSpec]] = {}


def row(table: str, measure: str, goal: str = "—") -> Callable[[Callable[[Bench], Row]],
                                                                 Callable[[Bench], Row]]:
    def register(func: Callable[[Bench], Row]) -> Callable[[Bench], Row]:
        ROWS.setdefault(table, []).append(RowSpec(table, measure, goal, func))
        return func

    return register


ROW_COLUMNS = ["measure", "now", "goal (same run, same machine)", "met", "notes"]


def row_table(name: str, title: str, notes: Callable[[Bench], list[str]] | None = None,
              optional: str = "") -> None:
    def run_rows(bench: Bench) -> Section:
        rows = []
        for spec in ROWS.get(name, []):
            say(f"row {spec.measure}")
            try:
                result = spec.func(bench)
            except Exception as error:  # one broken row must not hide the others
                say(f"row {spec.measure} FAILED: {error}")
                result = Row(f"error: {type(error).__name__}: {str(error).splitlines()[0]}",
                             False)
            verdict = {True: "met", False: "**NOT met**", None: "—"}[result.met]
            rows.append([spec.measure, result.now, spec.goal, verdict, result.notes])
        return Section(ROW_COLUMNS, rows, notes(bench) if notes else [])

    case(name, title, optional)(run_rows)


def ratio_goal(goal: str) -> float | None:
    found = re.search(r"≥\s*([0-9.]+)", goal)
    return float(found.group(1)) if found else None


LOAD_COLUMNS = ["measure", "req/s", "p50 ms", "p95 ms", "ratio to bare Flask", "goal", "notes"]


@case("page-weight", "Page weight")
def page_weight(bench: Bench) -> Section:
    rows, details = [], []
    for page in PAGES:
        row, detail = bench.page_weight(page)
        rows.append(row)
        details.append(detail)
    return Section(
        ["page", "requests", "HTML", "CSS", "JS", "images", "other", "total on the wire", "goal"],
        rows,
        ["Bytes on the wire: the response bodies as sent with `Accept-Encoding: gzip, br` "
         "(compressed where the server compresses; headers not counted), for the page and every "
         "same-origin `<link rel=stylesheet|icon|preload|modulepreload>`, `<script src>` and "
         "`<img src>` it names, plus the `url()`s and `@import`s of its stylesheets (the first "
         "`src` of each `@font-face`). Each URL counted once. KB = 1024 bytes."],
        "\n\n".join(d for d in details if d),
    )


@case("guidance", "Requirement wizard (issue 4)")
def guidance(bench: Bench) -> Section:
    """The personalised checklist page against bare Flask, and the printable checklist PDF."""
    from tests.bench import documents

    loads = [Load("Rekam `GET /syarat/pemula`", "app", "/syarat/pemula", goal="≥ 0.40"),
             Load("Rekam `GET /syarat/pemula`, `Accept-Encoding: gzip, br`", "app",
                  "/syarat/pemula", headers=GZIP_BR, goal="—")]
    rows = bench.load_rows(loads)
    app = bench.server("app")
    pdf = documents.checklist_pdf_ms(app.env)
    median = documents.median(pdf)
    verdict = "met" if median <= 250 else "**NOT met**"
    return Section(LOAD_COLUMNS, rows, [
        "The checklist page as a person first opens it (no answers yet), served like every "
        "anonymous page without session state (the page cache keeps it per language and "
        "display setting for a minute).",
        f"Checklist PDF (`app.web.citizen.guidance.render_checklist_pdf`, `pemula`, Indonesian, A4, "
        f"in-process on the bench database): median **{median:.0f} ms** over {len(pdf)} "
        f"renders (min {min(pdf):.0f}, max {max(pdf):.0f}); goal ≤ 250 ms: {verdict}."])


@case("receipts", "Receipts and verification (issue 6)")
def receipts(bench: Bench) -> Section:
    """The verify API and cached receipt downloads against bare Flask; the receipt PDF's render
    time against a bare WeasyPrint render of the same A5 page."""
    from tests.bench import documents

    app = bench.server("app")
    shared = issue11.demo_loads(bench)
    token = shared["token"]
    loads = [shared["verify"], shared["document"], shared["jwks"]]
    rows = bench.load_rows(loads)
    timings = documents.receipt_render_ms(app.env, token)
    bare, rekam = documents.median(timings["bare"]), documents.median(timings["rekam"])
    ratio = rekam / bare
    verdict = "met" if ratio <= 2 else "**NOT met**"
    return Section(LOAD_COLUMNS, rows, [
        "A booking receipt issued through `POST /api/v1/bookings`; its document downloaded once "
        "(rendered, PAdES-signed and stored), then loaded as stored bytes.",
        f"Receipt PDF render, in-process, {len(timings['rekam'])} rounds taken in turn: "
        f"Rekam's whole path (template, QR, WeasyPrint, PAdES signature) median "
        f"**{rekam:.0f} ms**, a bare WeasyPrint render of the same A5 HTML {bare:.0f} ms: "
        f"**{ratio:.2f} ×**; goal ≤ 2 ×: {verdict}."])


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


def app_settings(env: dict[str, str]) -> dict[str, str]:
    """The settings a server started with `env` reads (app/config.py's names), for an app made
    in this process: DATABASE_URL spelt out (the instance folder's SQLite unless set), so that
    one in this process's own environment cannot stand in for the one `env` leaves unset."""
    from app.config import ENV_NAMES

    settings = {k: v for k, v in env.items() if k in ENV_NAMES}
    if not settings.get("DATABASE_URL"):
        instance = Path(env["INSTANCE_PATH"]).resolve()
        settings["DATABASE_URL"] = f"sqlite:///{instance / 'rekam.sqlite3'}"
    return settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server in its own process group, stopped (group-wide) by stop()."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int) -> None:
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = OUT / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopping: subprocess.Popen[bytes] | None = None  # SIGTERM sent, not yet waited for

    def start(self, timeout: float = 90) -> Server:
        OUT.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        say(f"starting {self.name} on {self.url}: {shlex.join(self.argv)}")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                fetch(self.url + "/", timeout=5)
                say(f"{self.name} answered after {time.monotonic() - started:.1f}s")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, wait: bool = True) -> None:
        """Stop the server's process group. `wait=False`: SIGTERM now, and the run goes on
        while it shuts down (gunicorn's graceful stop takes 1–4 s of waiting); the next stop()
        (the run's end at the latest) waits for it, with SIGKILL after 25 s."""
        if not wait and self.proc is None:
            return  # not running, or SIGTERM already sent
        proc, self.proc = self.proc or self.stopping, None
        self.stopping = None
        if proc is None or proc.poll() is not None:
            return
        if not wait:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            self.stopping = proc
            say(f"stopping {self.name} (SIGTERM sent; waited for at the end)")
            return
        started = time.monotonic()
        self._stop(proc)
        say(f"stopped {self.name} in {time.monotonic() - started:.1f}s")

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes]) -> None:
        for sig, wait in ((signal.SIGTERM, 25), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Whatever is left in the group (gunicorn workers) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------------------------
# HTTP without decompression, and wrk
# --------------------------------------------------------------------------------------------


@dataclass
class Fetched:
    url: str
    status: int
    headers: dict[str, str]
    raw: bytes  # as on the wire (still compressed)

    @property
    def encoding(self) -> str:
        return self.headers.get("content-encoding", "").strip().lower()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        data = self.raw
        if self.encoding == "gzip":
            data = gzip.decompress(data)
        elif self.encoding == "deflate":
            data = zlib.decompress(data)
        elif self.encoding == "br":
            import brotli  # Flask-Compress's dependency, so in the venv

            data = brotli.decompress(data)
        return data.decode("utf-8", errors="replace")


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 30,
          method: str = "GET", body: bytes | None = None) -> Fetched:
    """GET (by default) without following redirects or decoding; HTTP errors are returned."""
    if not url.startswith("http://127.0.0.1:"):  # benchmarks only ever load this machine
        raise ValueError(f"not a loopback http URL: {url}")
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Fetched(url, response.status, _lower(response.headers), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Fetched(url, error.code, _lower(error.headers), error.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _lower(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: dict[str, int]
    base_rps: float = 0.0  # bare Flask's req/s in the same round, for the ratio

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(url: str, seconds: int, load: Load, tag: str) -> WrkResult:
    argv = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency",
            "--timeout", "10s", "-s", str(load.script)]
    for name, value in load.headers.items():
        argv += ["-H", f"{name}: {value}"]
    env = dict(os.environ, BENCH_METHOD=load.method, BENCH_REPORT_LUA=str(REPORT_LUA), **load.env)
    with tempfile.NamedTemporaryFile(prefix="bench-body-") as body:
        if load.body is not None:
            body.write(load.body)
            body.flush()
            env["BENCH_BODY_FILE"] = body.name
        done = subprocess.run([*argv, url], env=env, capture_output=True, text=True,
                              timeout=seconds + 60, check=False)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"wrk-{tag}.txt").write_text(f"$ {shlex.join([*argv, url])}\n{done.stdout}{done.stderr}")
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    values = {k: float(v) for k, v in (kv.split("=", 1) for kv in line.split()[1:])}
    errors = {k[4:]: int(v) for k, v in values.items() if k.startswith("err_") and v}
    return WrkResult(int(values["requests"]), values["duration_us"] / 1e6,
                     values["p50_us"] / 1000, values["p95_us"] / 1000, values["p99_us"] / 1000,
                     errors)


def ensure_servers() -> None:
    """PostgreSQL and redis-server (Debian's packages) for the rows that start their own, through
    .ci/ensure-system-deps as CI installs them; a row that still finds them missing says so."""
    have_pg = any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb")
    if have_pg and shutil.which("redis-server"):
        return
    say("PostgreSQL or redis-server is missing: installing Debian's packages")
    subprocess.run([str(ROOT / ".ci" / "ensure-system-deps")],
                   env=dict(os.environ, WITH_POSTGRES="1", WITH_REDIS="1"),
                   stdin=subprocess.DEVNULL, check=False)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    say("wrk is missing: installing Debian's wrk")
    subprocess.run([str(ROOT / ".ci" / "ensure-system-deps")], env=dict(os.environ, WITH_WRK="1"),
                   stdin=subprocess.DEVNULL, check=False)
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False).returncode:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk) and could not be installed")


# --------------------------------------------------------------------------------------------
# Page weight
# --------------------------------------------------------------------------------------------


class _Refs(html.parser.HTMLParser):
    LINK_RELS = {"stylesheet", "icon", "apple-touch-icon", "mask-icon", "preload", "modulepreload"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []  # (url, what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "link":
            rels = set(a.get("rel", "").lower().split()) & self.LINK_RELS
            if rels and a.get("href"):
                self.refs.append((a["href"], "link " + "/".join(sorted(rels))))
        elif tag == "script" and a.get("src"):
            self.refs.append((a["src"], "script"))
        elif tag == "img" and a.get("src"):
            self.refs.append((a["src"], "img"))


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)


def css_refs(css: str) -> list[str]:
    css = _CSS_COMMENT.sub("", css)
    refs = [m.group(1) for m in _CSS_IMPORT.finditer(css)]
    for block in _FONT_FACE.findall(css):
        first = _CSS_URL.search(block)  # the browser takes the first format it supports
        if first:
            refs.append(first.group(2))
    refs += [m.group(2) for m in _CSS_URL.finditer(_FONT_FACE.sub("", css))]
    return [r.strip() for r in refs if not r.strip().lower().startswith(("data:", "#"))]


def kind_of(content_type: str, url: str) -> str:
    path = urllib.parse.urlsplit(url).path.lower()
    if content_type == "text/html":
        return "HTML"
    if content_type == "text/css" or path.endswith(".css"):
        return "CSS"
    if "javascript" in content_type or path.endswith((".js", ".mjs")):
        return "JS"
    if content_type.startswith("image/"):
        return "images"
    return "other"


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, stack: contextlib.ExitStack) -> None:
        self.args, self.stack = args, stack
        self.duration: int = args.duration
        self.warmup: int = 1
        self.servers: dict[str, Server] = {}
        self.rounds: int = args.rounds
        self.results: dict[Load, list[WrkResult]] = {}  # the rounds' results
        self.failures: dict[Load, str] = {}
        self.runs = 0
        self.instance = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rekam-bench-")))
        self.notes: list[str] = []
        self._once: dict[str, object] = {}

    def once(self, key: str, make: Callable[[], object]):
        """make() the first time, the same value afterwards (fixtures rows share)."""
        if key not in self._once:
            self._once[key] = make()
        return self._once[key]

    def folder(self, name: str) -> Path:
        """A folder of its own inside the run's temp folder (removed at the end)."""
        path = self.instance / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def postgres(self):
        """The run's throwaway PostgreSQL (started on first use, stopped at the end)."""
        from tests.bench import services

        return self.once("postgres", lambda: self.stack.enter_context(services.postgres()))

    def redis(self):
        from tests.bench import services

        return self.once("redis", lambda: self.stack.enter_context(services.redis_server()))

    def start_app(self, name: str, env: dict[str, str], port: int, *extra: str) -> Server:
        """Another Rekam server (python -m app.serve, as make run) with this environment."""
        server = Server(name, [sys.executable, "-m", "app.serve", "--port", str(port),
                               "--workers", str(WORKERS), "--threads", str(THREADS), *extra],
                        env, port)
        self.stack.callback(server.stop)
        self.servers[name] = server.start()
        return server

    def booking_check(self, env: dict[str, str]) -> tuple[bool, str]:
        """`flask booking-check` against that server's database: (no drift, its last line)."""
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "booking-check"],
                              cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=300, check=False)
        say(f"booking-check in {time.monotonic() - started:.1f}s")
        lines = (done.stdout + done.stderr).strip().splitlines()
        return done.returncode == 0, lines[-1] if lines else f"exit {done.returncode}"

    def ratio(self, load: Load) -> float | None:
        self.measure([load])
        runs = self.results.get(load)
        if not runs or not all(r.base_rps for r in runs):
            return None
        return statistics.median(r.rps / r.base_rps for r in runs)

    def ratio_row(self, load: Load, goal: str | None = None) -> Row:
        """now = "N req/s, ratio R" against the goal "≥ X" (load.goal unless given)."""
        self.measure([load])
        if load in self.failures:
            return Row("not measured", False, self.failures[load])
        ratio = self.ratio(load)
        threshold = ratio_goal(goal if goal is not None else load.goal)
        runs = self.results[load]
        p95 = statistics.median(r.p95_ms for r in runs)
        notes = [f"p95 {p95:.0f} ms", "rounds " + " / ".join(f"{r.rps:,.0f}" for r in runs)]
        errors = sum(sum(r.errors.values()) for r in runs)
        if errors:
            notes.append(f"{errors} errors or unexpected statuses")
        met = None if threshold is None or ratio is None else ratio >= threshold
        return Row(f"{self.rps(load):,.0f} req/s, **{ratio:.2f}**" if ratio is not None
                   else f"{self.rps(load):,.0f} req/s", met, "; ".join(notes))

    # -- servers, started on first use and stopped when the run ends --------------------------

    def env(self, port: int) -> dict[str, str]:
        env = dict(os.environ, RATE_LIMITS="off", INSTANCE_PATH=str(self.instance),
                   BASE_URL=f"http://127.0.0.1:{port}", PYTHONUNBUFFERED="1")
        env.pop("DATABASE_URL", None)
        env.pop("FLASK_DEBUG", None)
        return env

    def server(self, name: str) -> Server:
        if name not in self.servers:
            port = free_port()
            env = self.env(port)
            gunicorn = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                        "--workers", str(WORKERS), "--threads", str(THREADS),
                        "--worker-class", "gthread"]
            if name == "bare" or self.args.self_test:
                argv = [*gunicorn, "tests.bench.bare:app"]
            elif name == "app":
                self.seed(env)
                if (ROOT / "app" / "serve.py").exists():
                    argv = [sys.executable, "-m", "app.serve", "--port", str(port),
                            "--workers", str(WORKERS), "--threads", str(THREADS)]
                else:
                    argv = [*gunicorn, "wsgi:app"]
                    self.notes.append("app/serve.py was missing: Rekam ran under plain gunicorn.")
            else:
                raise KeyError(name)
            server = Server(name, argv, env, port)
            self.stack.callback(server.stop)
            self.servers[name] = server.start()
        return self.servers[name]

    def seed(self, *envs: dict[str, str]) -> None:
        """What `flask --app wsgi seed-demo` does (app/cli.py: `upgrade_if_needed`, then
        `seed_demo` in a write session), for each environment's database, in this process:
        a Python start and an app import less per database than the command."""
        from app import create_app
        from app.db import database
        from app.domain.demo import seed_demo
        from app.migrate import upgrade_if_needed

        for env in envs:
            say(f"seeding (seed-demo's steps, in-process): INSTANCE_PATH="
                f"{env.get('INSTANCE_PATH')}"
                f"{', ' + env['DATABASE_URL'].split('@')[-1] if env.get('DATABASE_URL') else ''}")
            started = time.monotonic()
            app = create_app(app_settings(env))
            try:
                upgrade_if_needed(app.config["DATABASE_URL"])
                with app.app_context(), database().session(write=True) as session:
                    seed_demo(session)
                    session.commit()
            finally:
                app.extensions["rekam_db"].dispose()
            say(f"seeded in {time.monotonic() - started:.1f}s")

    # -- measures ------------------------------------------------------------------------------

    def measure(self, loads: list[Load], duration: int | None = None) -> None:
        """wrk against each load not yet measured, in interleaved rounds with bare Flask
        (`duration` whole seconds per load, split over the rounds; default --duration).

        The host's speed drifts (by half within a minute on a shared machine), so instead of one
        `-d10s` run per URL, each gets `rounds` runs of duration/rounds, taken in turn with the
        others and with the baseline: the ratios compare figures taken over the same minute.
        """
        todo = [load for load in loads if load not in self.results and load not in self.failures]
        if not todo:
            return
        plan = [BASELINE, *(load for load in todo if load is not BASELINE)]
        ready = []
        for load in plan:  # check the answer
            url = self.server(load.server).url + load.path
            check = fetch(url, load.headers, method=load.method, body=load.body)
            if check.status not in load.expect:
                self.failures[load] = (f"HTTP {check.status} (expected "
                                       f"{'/'.join(map(str, load.expect))}): not measured")
                continue
            ready.append((load, url))
        # Warm up: every load's wrk for `warmup` seconds, all at once (one warm-up second per
        # pass instead of one per load; nothing of it is counted).
        say(f"warm-up: {len(ready)} loads at once ({self.warmup}s)")
        warmups = [(url, load, self.tag(load) + "-warmup") for load, url in ready]
        with concurrent.futures.ThreadPoolExecutor(max(1, len(warmups))) as pool:
            for done in [pool.submit(run_wrk, url, self.warmup, load, tag)
                         for url, load, tag in warmups]:
                done.result()
        duration = duration or self.duration
        rounds = min(self.rounds, duration)  # wrk takes whole seconds
        for n in range(rounds):
            seconds = duration // rounds + (1 if n < duration % rounds else 0)
            base = 0.0
            for load, url in ready:
                say(f"round {n + 1}/{rounds}: wrk {load.method} {url} ({seconds}s)")
                result = run_wrk(url, seconds, load, self.tag(load))
                if load is BASELINE:
                    base = result.rps
                result.base_rps = base
                self.results.setdefault(load, []).append(result)

    def tag(self, load: Load) -> str:
        self.runs += 1
        # Cut to a safe file-name length: a path may carry a whole signed token.
        return re.sub(r"[^a-z0-9]+", "-", f"{self.runs:03d}-{load.server}-{load.method}-"
                      f"{load.path}".lower()).strip("-")[:80]

    def rps(self, load: Load) -> float:
        runs = self.results.get(load) or []
        seconds = sum(r.seconds for r in runs)
        return sum(r.requests for r in runs) / seconds if seconds else 0.0

    def load_rows(self, loads: list[Load]) -> list[list[str]]:
        self.measure(loads)
        return [self.load_row(load) for load in loads]

    def load_row(self, load: Load) -> list[str]:
        """| measure | req/s | p50 ms | p95 ms | ratio to bare Flask | goal | notes |"""
        self.measure([load])
        if load in self.failures:
            return [load.label, "—", "—", "—", "—", load.goal, self.failures[load]]
        runs = self.results[load]
        notes = []
        errors: dict[str, int] = {}
        for r in runs:
            for k, n in r.errors.items():
                errors[k] = errors.get(k, 0) + n
        if errors:
            notes.append(", ".join(f"{n} non-2xx/3xx" if k == "status" else f"{n} {k} errors"
                                   for k, n in errors.items()))
        rps = self.rps(load)
        if len(runs) > 1:
            notes.append("rounds: " + " / ".join(f"{r.rps:,.0f}" for r in runs))
        base = self.rps(BASELINE)
        if load is BASELINE:
            ratio = "1.00 (baseline)"
            if len(runs) > 1 and max(r.rps for r in runs) > 1.3 * min(r.rps for r in runs):
                notes.append("**the machine's speed drifted: ratios are rough**")
        elif all(r.base_rps for r in runs):
            ratio = f"{statistics.median(r.rps / r.base_rps for r in runs):.2f}"
        else:
            ratio = f"{rps / base:.2f}" if base else "—"
        p50 = statistics.median(r.p50_ms for r in runs)
        p95 = statistics.median(r.p95_ms for r in runs)
        return [load.label, f"{rps:,.0f}", f"{p50:.1f}", f"{p95:.1f}", ratio, load.goal,
                "; ".join(notes)]

    def page_weight(self, page: Page) -> tuple[list[str], str]:
        server = self.server("app")
        origin = urllib.parse.urlsplit(server.url)
        doc = fetch(server.url + page.path, GZIP_BR)
        if doc.status != 200:
            row = [page.label, "—", "—", "—", "—", "—", "—", f"HTTP {doc.status}",
                   f"≤ {kb(page.goal_bytes)}: not measured"]
            return row, ""
        fetched: list[tuple[Fetched, str]] = [(doc, "page")]
        seen = {doc.url}
        queue: list[tuple[str, str, str]] = []  # (url, base, via)
        parser = _Refs()
        parser.feed(doc.text())
        queue += [(ref, doc.url, what) for ref, what in parser.refs]
        while queue:
            ref, base, via = queue.pop(0)
            url = urllib.parse.urldefrag(urllib.parse.urljoin(base, ref)).url
            parts = urllib.parse.urlsplit(url)
            if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc) or url in seen:
                continue
            seen.add(url)
            got = fetch(url, GZIP_BR)
            fetched.append((got, via))
            if got.status == 200 and kind_of(got.content_type, url) == "CSS":
                queue += [(r, url, "css url()") for r in css_refs(got.text())]
        sums = {k: 0 for k in ("HTML", "CSS", "JS", "images", "other")}
        lines = ["| resource | via | status | type | encoding | bytes on the wire |",
                 "|---|---|---|---|---|---:|"]
        for got, via in fetched:
            sums[kind_of(got.content_type, got.url)] += len(got.raw)
            path = urllib.parse.urlsplit(got.url)
            shown = path.path + (f"?{path.query}" if path.query else "")
            lines.append(f"| `{shown}` | {via} | {got.status} | {got.content_type or '—'} | "
                         f"{got.encoding or 'none'} | {len(got.raw):,} |")
        total = sum(sums.values())
        verdict = "met" if total <= page.goal_bytes else "**NOT met**"
        bad = [g.url for g, _ in fetched if g.status != 200]
        row = [page.label, str(len(fetched)), *(kb(sums[k]) for k in sums), f"**{kb(total)}**",
               f"≤ {kb(page.goal_bytes)}: {verdict}"]
        if bad:
            row[-1] += f" ({len(bad)} not 200)"
        detail = (f"<details><summary>{page.label}: {len(fetched)} requests, {total:,} bytes"
                  f"</summary>\n\n" + "\n".join(lines) + "\n\n</details>")
        return row, detail


# --------------------------------------------------------------------------------------------
# BENCHMARKS.md
# --------------------------------------------------------------------------------------------

INTRO = """# Benchmarks

How fast Rekam answers and how heavy its pages are, on the project's own machine (2 cores). To
reproduce: `make bench` (every section but the kabupaten), `make bench ARGS=--scale` (also the
kabupaten-sized database) or `.venv/bin/python -m tests.bench.run --only NAME`; `BENCH_QUICK=1`
shortens each load to 3 s. The harness is `tests/bench/run.py`
(see `tests/bench/README.md`). Absolute req/s move from run to run and machine to machine; the
ratio to a bare Flask "hello" app served the same way in the same run moves much less.

Everything between the `bench:start` and `bench:end` markers is regenerated; notes outside them
are kept.
"""


def table(columns: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    align = ["---" if i == 0 else "---:" if c in {"req/s", "p50 ms", "p95 ms", "requests"}
             else "---" for i, c in enumerate(columns)]
    out = ["| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def machine() -> str:
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    cpu = ""
    with contextlib.suppress(OSError, IndexError):
        cpu = " (" + Path("/proc/cpuinfo").read_text().split("model name")[1].split(":", 1)[1] \
            .splitlines()[0].strip() + ")"
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    wrk_version = (wrk.stdout + wrk.stderr).split("[")[0].strip() or "wrk"
    debian = ""
    with contextlib.suppress(OSError):
        debian = ", Debian " + Path("/etc/debian_version").read_text().strip()
    return (f"nproc {os.cpu_count()}{cpu}{mem}; Linux {platform.release()}{debian}; "
            f"Python {platform.python_version()}; {wrk_version}")


SECTION = re.compile(r"<!-- bench:section (\S+) -->\n(.*?)<!-- bench:section-end \1 -->\n?", re.S)


def render_section(c: Case, section: Section, when: str, bench: Bench) -> str:
    parts = [f"## {c.title}", f"_Measured {when}; this section alone: `--only {c.name}`._",
             table(section.columns, section.rows)]
    parts += section.notes + bench.notes
    if section.details:
        parts.append(section.details)
    return f"<!-- bench:section {c.name} -->\n" + "\n\n".join(parts) + \
        f"\n<!-- bench:section-end {c.name} -->\n"


def write_benchmarks(path: Path, new_sections: dict[str, str], header: str,
                     fallback: dict[str, str] | None = None) -> None:
    text = path.read_text() if path.exists() else INTRO
    if START in text and END in text:
        before, rest = text.split(START, 1)
        generated, after = rest.split(END, 1)
    else:
        before, generated, after = text.rstrip() + "\n\n", "", "\n"
    old = {m.group(1): m.group(0) for m in SECTION.finditer(generated)}
    merged = [new_sections.get(name) or old.get(name) or (fallback or {}).get(name)
              for name in CASES]
    body = "\n".join(s for s in merged if s)
    path.write_text(f"{before}{START}\n{header}\n\n{body}{END}{after}")


# --------------------------------------------------------------------------------------------


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only these cases (repeat, or comma-separate); see --list")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--quick", action="store_true", default=quick,
                   help="3 s per load (also BENCH_QUICK=1)")
    p.add_argument("--duration", type=int, help="whole seconds per load (default 10, quick 3)")
    p.add_argument("--rounds", type=int, default=5,
                   help="split each load into this many runs, interleaved with the other URLs "
                        "and bare Flask (default 5; 1 = one run per URL)")
    p.add_argument("--self-test", action="store_true",
                   help="test the harness: the bare app stands in for Rekam; writes "
                        "tests/bench/out/BENCHMARKS.self-test.md unless --output")
    p.add_argument("--output", type=Path, help="the Markdown file to update (default BENCHMARKS.md)")
    p.add_argument("--no-write", action="store_true", help="print the sections, write no file")
    p.add_argument("--scale", action="store_true",
                   help="also the kabupaten-sized database (case scale: ~400,000 bookings)")
    p.add_argument("--scale-bookings", type=int, default=400_000, metavar="N",
                   help="bookings the scale generator makes (default 400,000)")
    args = p.parse_args(argv)
    # With --scale the whole run must still stay near 5 minutes: 5 s per load (5 rounds of 1 s).
    args.duration = args.duration or (3 if args.quick else 5 if args.scale else 10)
    if args.rounds < 1 or args.duration <= 0:
        p.error("--rounds must be 1 or more and --duration positive")
    args.output = args.output or (OUT / "BENCHMARKS.self-test.md" if args.self_test else BENCHMARKS)
    args.only = [n.strip() for item in args.only for n in item.split(",") if n.strip()]
    unknown = [n for n in args.only if n not in CASES]
    if unknown:
        p.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    return args


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """SIGTERM/SIGHUP end the run through the finally clauses (servers stopped)."""
    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for c in CASES.values():
            print(f"{c.name:14} {c.title}{f' (only with {c.optional})' if c.optional else ''}")
        return 0
    ensure_wrk()
    ensure_servers()
    for old in OUT.glob("wrk-*.txt"):
        old.unlink()
    selected = [CASES[n] for n in args.only] if args.only else \
        [c for c in CASES.values() if not c.optional or getattr(args, c.optional.strip("-")
                                                                .replace("-", "_"), False)]
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections: dict[str, str] = {}
    failed: list[str] = []
    errors: dict[str, str] = {}  # written only where the file has no section of that name yet
    with terminate_cleanly(), contextlib.ExitStack() as stack:
        bench = Bench(args, stack)
        for c in selected:
            say(f"case {c.name}: {c.title}")
            t = time.monotonic()
            try:
                section = c.func(bench)
            except Exception as error:  # one broken case must not hide the others
                failed.append(c.name)
                say(f"case {c.name} FAILED: {error}")
                section = Section(["error"], [[f"{type(error).__name__}: {error}".splitlines()[0]]],
                                  ["This case failed; see the `make bench` output."])
            say(f"case {c.name} done in {time.monotonic() - t:.1f}s")
            rendered = render_section(c, section, when, bench)
            if c.name in failed:
                print(rendered)  # shown, but the file keeps the section of the last good run
                errors[c.name] = rendered
            else:
                sections[c.name] = rendered
            bench.notes = []
        for server in bench.servers.values():  # all at once; the stack waits for each
            server.stop(wait=False)
    header = (f"_Generated by `make bench` on {when} in {time.monotonic() - started:.0f}s"
              f"{' (self-test: the bare app stood in for Rekam)' if args.self_test else ''}"
              f"{'; this run: ' + ', '.join(args.only) + ', other sections as dated' if args.only else ''}"
              "._  \n"
              f"Machine: {machine()}; load average {load_before:.1f} when it started.")
    print("\n".join([header, "", *sections.values()]))
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_benchmarks(args.output, sections, header, errors)
        say(f"wrote {args.output}")
    if failed:
        say(f"failed cases: {', '.join(failed)}")
        return 1
    return 0


# The issue 11 table, the kabupaten-sized case and the two-server case register here, then the
# tables of issues 12, 13, 14 and 16; imported
# last, since they use what this module defines.
from tests.bench import issue11, issues12_16  # noqa: E402,F401

if __name__ == "__main__":
    # Run as a module (`python -m tests.bench.run`), this file is `__main__`; the cases register
    # in `tests.bench.run`, so main() is taken from there.
    from tests.bench import run as _run

    sys.exit(_run.main())
