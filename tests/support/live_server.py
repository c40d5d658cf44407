"""A real Rekam under gunicorn (app.serve) for tests about the server: workers, limits, sessions.

Committed data in a database of its own; the process is stopped when the context ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "live-server password"  # noqa: S105  (a test account's)


def reserve_port() -> socket.socket:
    """A listening socket on a free loopback port, held until a server takes it over.

    Choosing a free port and letting the server bind it later is a race: another test's server
    may take it in between, and then the health check below would be answered by that server
    (a limits test once talked to a server with rate limits off)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    return listener


@contextlib.contextmanager
def serving(listener: socket.socket, env: dict, log_path: Path, *, workers: int = 1,
            threads: int = 4, jobs: bool = False, wait: float = 60) -> Iterator[str]:
    """`python -m app.serve` on the reserved socket, as `make run` serves (gunicorn), until the
    context ends; yields its base URL once /healthz answers 200."""
    port = listener.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "app.serve", "--fd", str(listener.fileno()),
               "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603
            [*command, *([] if jobs else ["--no-worker"])], env=env, cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),))
        listener.close()  # the server holds it now
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:  # noqa: S310
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"no server: {log_path.read_text(errors='replace')}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def cli(env: dict, *args: str, stdin: str | None = None) -> str:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], env=env,
                          cwd=ROOT, input=stdin, capture_output=True, text=True,
                          check=True).stdout


@dataclass
class LiveServer:
    base: str
    env: dict
    instance: Path

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's log, for an assertion message: a 500 says why there."""
        log = self.instance / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

    def client(self, address: str = "127.0.0.1") -> httpx.Client:
        """A client whose connections come from `address` (any of 127.0.0.0/8), one connection
        per request so that requests spread over the workers."""
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=self.base, transport=transport, timeout=60,
                            headers={"Connection": "close"})

    def login(self, client: httpx.Client, username: str, password: str) -> httpx.Response:
        """The sign-in form as a browser sends it: fetch the page (CSRF token), then post."""
        form = BeautifulSoup(client.get("/login").text, "html.parser")
        csrf = form.select_one('input[name="csrf_token"]')["value"]
        return client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf})


@contextlib.contextmanager
def live_server(tmp: Path, database_url: str, *, workers: int = 3, users: tuple = (),
                **env_extra: str) -> Iterator[LiveServer]:
    """Serve Rekam on a free port; `users` are (username, role) made with `users add`."""
    listener = reserve_port()
    port = listener.getsockname()[1]
    # REDIS_URL only when the test asks for it: the store must be the one under test.
    inherited = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env = {**inherited, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp),
           "BASE_URL": f"http://127.0.0.1:{port}", "SECRET_KEY": "live-secret",
           "DATA_KEY": "live-data-key", "PYTHONUNBUFFERED": "1", **env_extra}
    cli(env, "seed-demo")
    for username, role in users:
        cli(env, "users", "add", username, "--role", role, "--office", "351504",
            "--password-stdin", stdin=PASSWORD + "\n")
    with serving(listener, env, tmp / "server.log", workers=workers) as base:
        yield LiveServer(base, env, tmp)
