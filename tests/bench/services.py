"""Throwaway PostgreSQL and redis-server for `make bench`, started and stopped by the bench itself,
the way `.ci/run` does it: a private temp folder, a free loopback port, no persistence.

    with postgres() as pg:           # pg.url("name") makes a database and returns its URL
        ...
    with redis_server() as r:        # r.url(0)
        ...

Both are stopped and their folders removed when the block ends (also on an exception or SIGTERM
turned into SystemExit by run.py). Only the processes started here are stopped, by their own pid.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: [int(x) for x in p.parts[-3].split(".") if x.isdigit()])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")


def _as_postgres(argv: list[str]) -> list[str]:
    # Root may not run the server: as the `postgres` user Debian's package created.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class Postgres:
    folder: Path
    port: int
    bin: Path

    def admin_url(self) -> str:
        return f"postgresql+psycopg://app@127.0.0.1:{self.port}/postgres"

    def url(self, name: str) -> str:
        """A new empty database `name`; its SQLAlchemy URL."""
        from sqlalchemy import create_engine, text

        admin = create_engine(self.admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return f"postgresql+psycopg://app@127.0.0.1:{self.port}/{name}"

    @property
    def version(self) -> str:
        done = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True,
                              text=True, check=False)
        import re

        found = re.search(r"\d+\.\d+", done.stdout)
        return found.group(0) if found else "?"


@contextlib.contextmanager
def postgres(max_connections: int = 300) -> Iterator[Postgres]:
    pg_bin = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="rekam-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    try:
        done = subprocess.run(_as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-U", "app",
                                            "--auth=trust", "-E", "UTF8"]),
                              cwd="/", capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")
        port = None
        for _ in range(10):
            candidate = free_port()
            options = (f"-p {candidate} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off "
                       f"-c max_connections={max_connections}")
            done = subprocess.run(_as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-l",
                                                str(folder / "log"), "-w", "-t", "60", "start",
                                                "-o", options]),
                                  cwd="/", capture_output=True, text=True, check=False)
            if done.returncode == 0:
                port = candidate
                break
        if port is None:
            raise RuntimeError("could not start PostgreSQL:\n" + _tail(folder / "log"))
        yield Postgres(folder, port, pg_bin)
    finally:
        _stop_postgres(pg_bin, data)
        shutil.rmtree(folder, ignore_errors=True)


def _stop_postgres(pg_bin: Path, data: Path) -> None:
    pidfile = data / "postmaster.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text().split()[0])
    done = subprocess.run(_as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast",
                                        "-w", "-t", "30", "stop"]),
                          cwd="/", capture_output=True, check=False)
    if done.returncode:  # last resort, by its own pid only
        for sig in (signal.SIGQUIT, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
            time.sleep(1)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Redis:
    port: int
    proc: subprocess.Popen

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def version(self) -> str:
        done = subprocess.run(["redis-server", "--version"], capture_output=True, text=True,
                              check=False)
        return next((w[2:] for w in done.stdout.split() if w.startswith("v=")), "?")


@contextlib.contextmanager
def redis_server() -> Iterator[Redis]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found (apt-get install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="rekam-bench-redis-"))
    proc = None
    try:
        import redis

        for _ in range(10):
            port = free_port()
            # A child of ours in its own process group, nothing written to disk.
            proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no", "--dir", str(folder),
                                     "--logfile", str(folder / "log")],
                                    cwd=folder, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
            for _ in range(100):
                if proc.poll() is not None:
                    break
                with contextlib.suppress(redis.exceptions.ConnectionError):
                    if redis.Redis(port=port, socket_timeout=1).ping():
                        yield Redis(port, proc)
                        return
                time.sleep(0.05)
            _stop(proc)
        raise RuntimeError("could not start redis-server:\n" + _tail(folder / "log"))
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
