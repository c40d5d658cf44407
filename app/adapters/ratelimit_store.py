"""Rate-limit counters in a SQLite file of their own, shared by every worker on one machine.

Flask-Limiter keeps counters in process memory by default, so N gunicorn workers would each
allow the full limit (DESIGN §2). This is a `limits` storage (the library behind Flask-Limiter)
registered under the scheme `rekam-sqlite`, so `RATELIMIT_STORAGE_URI` can name it:
`rekam-sqlite:///abs/path/ratelimits.sqlite3`. It lives in its own file so that counting a
request never waits for, or holds, the booking database's one write lock. With `REDIS_URL` set
the limits use Redis instead and this file is not touched.

Supports the fixed-window (`incr`) and moving-window (`acquire_entry`) strategies; Rekam uses
the moving window, which never lets more than the stated count through in any window.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage

from .files import private_file

BUSY_TIMEOUT_MS = 15_000  # like the booking database: a loaded machine may queue writers
# One acquisition in this many also sweeps every key's expired entries (keys that are never
# hit again would otherwise stay for good); the key being hit is always tidied.
SWEEP_EVERY = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS counter (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS entry (
    key TEXT NOT NULL,
    at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_entry_key_at ON entry (key, at);
CREATE INDEX IF NOT EXISTS ix_entry_expires ON entry (expires_at);
"""


def _busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _set_up(connection: sqlite3.Connection) -> None:
    """WAL and the tables, once per file. Changing the journal mode can answer "locked" at once,
    without the busy handler, while other workers' first requests open their connections too (a
    rush of parallel sign-ins did, and one got a 500): only a file not yet in WAL is changed, and
    a refusal is tried again until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            known = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('counter', 'entry')").fetchone()
            if known[0] < 2:
                connection.executescript(SCHEMA)
            return
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _retrying(operation):
    """SQLite can answer "locked" at once, without its busy handler, in a few WAL cases (a
    snapshot gone stale between a read and a write, a WAL index being rebuilt while another
    worker opens the file). A rush of parallel sign-ins met one in CI and answered 500: each
    operation is one short transaction, so it is rolled back and simply tried again until the
    busy timeout."""

    def retried(self, *args, **kwargs):
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.002
        while True:
            try:
                return operation(self, *args, **kwargs)
            except sqlite3.OperationalError as error:
                db = self._open_connection()
                if db is not None and db.in_transaction:
                    db.execute("ROLLBACK")
                if not _busy(error) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.05)

    retried.__name__ = operation.__name__
    retried.__doc__ = operation.__doc__
    return retried


class SQLiteStorage(Storage, MovingWindowSupport):
    """Counters every process on the machine sees; each change is one immediate transaction."""

    STORAGE_SCHEME = ["rekam-sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 clock: Callable[[], float] = time.time, **options):
        parsed = urllib.parse.urlparse(uri or "")
        if not parsed.path or parsed.path == "/":
            raise ValueError("rekam-sqlite:// needs a file path, e.g. rekam-sqlite:///tmp/x.db")
        self.path = Path(urllib.parse.unquote(parsed.path))
        self._clock = clock  # seconds since the epoch; tests move it instead of waiting
        self._local = threading.local()
        self._hits = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    # -- connections: one per thread and process (a forked worker opens its own) --------------

    def _open_connection(self) -> sqlite3.Connection | None:
        """This thread's connection if it has one (never opens one: a failed open has none)."""
        local = self._local
        return local.connection if getattr(local, "pid", None) == os.getpid() else None

    def _db(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.pid, local.connection = os.getpid(), self._connect()
        return local.connection

    def _connect(self) -> sqlite3.Connection:
        """A connection set up for this thread. Connections opened at the same moment by several
        workers can fail their set-up outright — "disk I/O error" while another creates the WAL
        index, "locked" without the busy handler (CI: three of twelve parallel sign-ins answered
        500 so) — so opening and setting up is one at a time on the machine, under a lock file
        beside the store; it happens once per thread."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)  # keys in it are hashed or plain addresses
        lock_path = self.path.with_name(self.path.name + ".open-lock")
        private_file(lock_path)
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                         isolation_level=None, check_same_thread=False)
            try:
                connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                # Counters are not precious: a power cut may lose the last few, never corrupt
                # the file.
                connection.execute("PRAGMA synchronous=NORMAL")
                _set_up(connection)
            except BaseException:
                connection.close()
                raise
        return connection

    # -- Storage -----------------------------------------------------------------------------

    @_retrying
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self._clock()
        # One statement: SQLite runs it atomically, so two workers never both read the old value.
        (value,) = self._db().execute(
            "INSERT INTO counter (key, value, expires_at) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (key) DO UPDATE SET "
            " value = CASE WHEN counter.expires_at <= ?4 THEN excluded.value"
            "              ELSE counter.value + excluded.value END,"
            " expires_at = CASE WHEN counter.expires_at <= ?4 THEN excluded.expires_at"
            "                   ELSE counter.expires_at END "
            "RETURNING value",
            (key, amount, now + expiry, now),
        ).fetchall()[0]
        return int(value)

    @_retrying
    def get(self, key: str) -> int:
        row = self._db().execute("SELECT value FROM counter WHERE key = ? AND expires_at > ?",
                                 (key, self._clock())).fetchone()
        return int(row[0]) if row else 0

    @_retrying
    def get_expiry(self, key: str) -> float:
        now = self._clock()
        row = self._db().execute("SELECT expires_at FROM counter WHERE key = ? AND expires_at > ?",
                                 (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    @_retrying
    def reset(self) -> int | None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            keys = db.execute("SELECT count(*) FROM (SELECT key FROM counter UNION "
                              "SELECT key FROM entry)").fetchone()[0]
            db.execute("DELETE FROM counter")
            db.execute("DELETE FROM entry")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return int(keys)

    @_retrying
    def clear(self, key: str) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM counter WHERE key = ?", (key,))
            db.execute("DELETE FROM entry WHERE key = ?", (key,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- MovingWindowSupport -----------------------------------------------------------------

    @_retrying
    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        db = self._db()
        # IMMEDIATE: the count and the insert are one step for every process on the machine.
        db.execute("BEGIN IMMEDIATE")
        try:
            now = self._clock()
            db.execute("DELETE FROM entry WHERE key = ? AND at <= ?", (key, now - expiry))
            self._hits += 1
            if self._hits % SWEEP_EVERY == 0:
                db.execute("DELETE FROM entry WHERE expires_at <= ?", (now,))
            (taken,) = db.execute("SELECT count(*) FROM entry WHERE key = ?", (key,)).fetchone()
            acquired = taken + amount <= limit
            if acquired:
                db.executemany("INSERT INTO entry (key, at, expires_at) VALUES (?, ?, ?)",
                               [(key, now, now + expiry)] * amount)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return acquired

    @_retrying
    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = self._clock()
        oldest, taken = self._db().execute(
            "SELECT min(at), count(*) FROM entry WHERE key = ? AND at > ?", (key, now - expiry)
        ).fetchone()
        return (float(oldest), int(taken)) if taken else (now, 0)
