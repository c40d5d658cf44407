"""Engines and sessions.

SQLite is the embedded default: WAL so readers never wait for the writer, a busy timeout so
writers queue instead of failing, and write transactions that begin IMMEDIATE so two writers
never both read and then collide on upgrade. PostgreSQL needs none of that.
A request gets one session, its unit of work: GET requests read, every other method writes
and the view commits once. A step a read request cannot skip (a slot row, a rendered PDF, a
touched session) asks for a write explicitly with `write_step`.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from .adapters.files import private_file
from .domain import capacity
from .models import CONTENT_STAMP

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _private_database(url: str) -> None:
    path = make_url(url).database
    if path and path != ":memory:" and not path.startswith("file:"):
        private_file(Path(path))


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    if not in_memory:
        _private_database(url)
    engine = create_engine(
        url,
        hide_parameters=True,  # a failed statement's error names no name, phone or NIK digits
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # An in-memory database lives in one connection; a file gets a pool of them.
        **({} if in_memory else {"pool_size": 20, "max_overflow": 40}),
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins (the documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten rows are zeroed, not left in free pages of the file (DESIGN §9).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    if not immediate:
        @event.listens_for(engine, "begin")
        def on_begin(conn):
            # Straight to the driver: a deferred BEGIN takes no lock and cannot be refused, and
            # through SQLAlchemy's execute it was ~12 % of a one-statement read (issue 11).
            conn.connection.driver_connection.execute("BEGIN")

        return engine

    # SQLite has one write lock per database. Writers of this process take turns on a Python
    # lock first, then writers of all processes on this machine (gunicorn's workers, the job
    # worker, the CLI) on an advisory lock of a file beside the database: a waiter wakes the
    # moment it is free, where SQLite's busy handler would poll in sleeps of up to 100 ms and
    # leave the lock idle under a rush (issue 11). The kernel frees the file lock of a process
    # that dies. A writer that does not take it (another program) still meets the busy handler.
    gate = _WriterGate(None if in_memory else make_url(url).database)

    @event.listens_for(engine, "begin")
    def on_begin_immediate(conn):
        if not gate.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise OperationalError("BEGIN IMMEDIATE", None,
                                   sqlite3.OperationalError("database is locked"))
        conn.info[_HOLDS_GATE] = gate
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release_gate(conn.info)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def on_end(conn):
        _release_gate(conn.info)

    @event.listens_for(engine.pool, "checkin")
    def on_checkin(_dbapi_connection, record):
        _release_gate(record.info)  # whatever ended the transaction, the gate opens again

    return engine


_HOLDS_GATE = "rekam_write_gate"


class _WriterGate:
    """A thread lock, then (for a database file) an flock on `<database>-writer.lock`."""

    def __init__(self, path: str | None):
        self._thread = threading.Lock()
        self._path = None if not path or path.startswith("file:") else Path(path + "-writer.lock")
        self._fd: int | None = None
        self._pid = 0  # a file descriptor inherited over fork shares its lock: open our own

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self._thread.acquire(timeout=timeout):
            return False
        if self._path is None:
            return True
        try:
            if self._fd is None or self._pid != os.getpid():
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            if self._lock_file(deadline):
                return True
        except OSError:
            self._thread.release()
            raise
        self._thread.release()
        return False

    def _lock_file(self, deadline: float) -> bool:
        """Tries every 0.5–2 ms (SQLite's busy handler sleeps up to 100 ms between tries) and
        gives up at the deadline: a writer stuck elsewhere makes a 503, not a hang."""
        pause = 0.0005
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()


def _release_gate(info: dict) -> None:
    gate = info.pop(_HOLDS_GATE, None)
    if gate is not None:
        gate.release()


# SQLite's answers that mean "the database cannot take this now", not "this query is wrong".
_SQLITE_UNAVAILABLE_CODES = {
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL,
}
_SQLITE_UNAVAILABLE_WORDS = ("database is locked", "disk is full", "readonly database",
                             "unable to open database", "disk i/o error")


def is_unavailable(error: OperationalError) -> bool:
    """True when the database is down, full, read-only or locked too long (a 503 to retry);
    False for a fault in the statement itself (a missing table, a trigger's refusal)."""
    original = error.orig
    if not isinstance(original, sqlite3.Error):
        return True  # PostgreSQL's OperationalError is the server or the connection failing
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _SQLITE_UNAVAILABLE_CODES
    return any(word in str(original).lower() for word in _SQLITE_UNAVAILABLE_WORDS)


def make_engines(url: str) -> tuple[Engine, Engine]:
    """(read engine, write engine) for a database URL."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, immediate=False), _sqlite_engine(url, immediate=True)
    engine = create_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True,
                           hide_parameters=True)
    return engine, engine


class ChangeWatch:
    """Tells whether anyone changed what public answers are made of since the last look.

    `PRAGMA data_version`, on a connection of its own that never writes, changes when any other
    connection — of this process or any other on the machine — commits; it costs a few
    microseconds, so a worker can check it on every request. Only then is the content stamp
    read (models.ChangeStamp: SQLite triggers move it with every write to a watched table, in
    the writer's transaction), so that the bookkeeping written all day (messages sent, audit
    lines, staff sessions) does not throw every kept answer away (app/answers.py)."""

    def __init__(self, path: str):
        self._path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._seen: int | None = None
        self._content: int | None = None
        self._generation = 0

    def generation(self) -> int:
        """A number that changes after every commit anyone made since the previous call."""
        with self._lock:
            if self._connection is None or self._pid != os.getpid():  # not across a fork
                self._connection = sqlite3.connect(self._path, isolation_level=None,
                                                   check_same_thread=False)
                self._pid = os.getpid()
                self._seen = None
            (version,) = self._connection.execute("PRAGMA data_version").fetchone()
            if version != self._seen:
                self._seen = version
                stamp = self._stamp()
                if stamp is None or stamp != self._content:
                    self._content = stamp
                    self._generation += 1
            return self._generation

    def _stamp(self) -> int | None:
        """The content stamp; None (every commit counts) where the table is not there yet."""
        try:
            row = self._connection.execute("SELECT n FROM change_stamp WHERE topic = ?",
                                           (CONTENT_STAMP,)).fetchone()
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None


def _change_watch(url: str) -> ChangeWatch | None:
    """A watch for a SQLite file; None for PostgreSQL and in-memory databases, whose changes
    no local look can see (several machines) — answers are not kept there."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database \
            or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return ChangeWatch(parsed.database)


@dataclass
class Database:
    url: str
    read_engine: Engine
    write_engine: Engine
    changes: ChangeWatch | None = None

    def session(self, write: bool = True) -> Session:
        return Session(self.write_engine if write else self.read_engine, expire_on_commit=False)

    def generation(self) -> int | None:
        """See ChangeWatch; None where changes cannot be watched (no answer is kept)."""
        return self.changes.generation() if self.changes is not None else None

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()


def init_app(app: Flask) -> Database:
    read, write = make_engines(app.config["DATABASE_URL"])
    database = Database(app.config["DATABASE_URL"], read, write,
                        _change_watch(app.config["DATABASE_URL"]))
    app.extensions["rekam_db"] = database
    app.teardown_appcontext(_close_session)
    return database


def database() -> Database:
    return current_app.extensions["rekam_db"]


def get_session() -> Session:
    """The session of the current request (or CLI command); created on first use."""
    if "db_session" not in g:
        g.db_writes = not has_request_context() or request.method not in READ_METHODS
        g.db_session = database().session(write=g.db_writes)
    return g.db_session


def request_writes() -> bool:
    """Whether the current unit of work may write (its session holds the write engine)."""
    get_session()
    return g.db_writes


T = TypeVar("T")


@contextmanager
def reading() -> Iterator[Session]:
    """A session that only reads: the request's own when it reads, else a short read session of
    its own, so a write request's lookups do not take SQLite's one write lock early."""
    if not request_writes():
        yield get_session()
        return
    with database().session(write=False) as reader:
        yield reader


def write_step(work: Callable[[Session], T], *, read_after: bool = True) -> T:
    """work(session) where it may write: in the request's own session when that writes (its view
    commits it with everything else: on SQLite a second writer would wait for the first's lock),
    else in a short write transaction of its own, committed here. With `read_after` the read
    session then starts a fresh snapshot, so the request sees what was just written (a SQLite
    read keeps the snapshot it began with); a bookkeeping write (a touch) needs no such thing.
    """
    if request_writes():
        return work(get_session())
    with database().session(write=True) as writer:
        result = work(writer)
        writer.commit()
    if read_after:
        get_session().rollback()
    return result


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    g.pop("db_writes", None)
    if session is not None:
        session.close()


def keep_horizon(office, pool: str, now) -> None:
    """The booking horizon's slot rows, made before a request lists them: the one step the
    citizen pages, the desa staff's form and the API share (the faces may not import each
    other). Its memory of horizons found complete lives with the app (one set per worker)."""
    capacity.keep_horizon(get_session(), office, pool, now, write=write_step,
                          seen=current_app.extensions.setdefault("horizon_complete", set()))
