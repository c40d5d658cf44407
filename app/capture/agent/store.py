"""The agent's own SQLite file (CAPTURE.md §2): settings and keys, roster, sessions with their
attempts, and the outbox. WAL and a busy timeout, one short transaction per change, so a SIGKILL
at any point leaves either the old state or the new one — never half a record."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roster (
    code TEXT PRIMARY KEY, day TEXT NOT NULL, name TEXT NOT NULL, nik_masked TEXT NOT NULL,
    nik_last4 TEXT NOT NULL, service TEXT NOT NULL, slot_start TEXT NOT NULL,
    slot_end TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
    desk_checked_in_at TEXT);
CREATE TABLE IF NOT EXISTS session (
    id INTEGER PRIMARY KEY, booking_code TEXT NOT NULL, operator TEXT NOT NULL,
    opened_at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'open', chain_head TEXT,
    exceptions TEXT NOT NULL DEFAULT '[]', finalized_at TEXT, record_id TEXT,
    provisional TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS one_open_session ON session (booking_code)
    WHERE state = 'open';
CREATE TABLE IF NOT EXISTS attempt (
    id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES session(id),
    step TEXT NOT NULL, attempt INTEGER NOT NULL, status TEXT NOT NULL, quality REAL,
    threshold REAL NOT NULL, passed INTEGER NOT NULL, kept INTEGER NOT NULL DEFAULT 0,
    forced INTEGER NOT NULL DEFAULT 0, reason TEXT, device TEXT, hashes TEXT NOT NULL DEFAULT '[]',
    sealed TEXT, error TEXT, at TEXT NOT NULL, device_ms REAL, agent_ms REAL);
CREATE TABLE IF NOT EXISTS outbox (
    record_id TEXT PRIMARY KEY, booking_code TEXT NOT NULL, announcement TEXT NOT NULL,
    packet BLOB NOT NULL, state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL
    DEFAULT 0, next_at REAL NOT NULL DEFAULT 0, last_error TEXT, created_at REAL NOT NULL,
    acked_at REAL, bundle_id TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at);
CREATE TABLE IF NOT EXISTS bundle (
    bundle_id TEXT PRIMARY KEY, manifest_sha256 TEXT NOT NULL, created_at TEXT NOT NULL,
    records INTEGER NOT NULL);
"""


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.local = threading.local()
        self.connection().executescript(SCHEMA)  # idempotent; executescript commits itself

    def connection(self) -> sqlite3.Connection:
        db = getattr(self.local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # an acked finalize survives a power cut
            db.execute("PRAGMA foreign_keys=ON")
            self.local.db = db
        return db

    @contextmanager
    def tx(self):
        db = self.connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def one(self, sql: str, *args):
        return self.connection().execute(sql, args).fetchone()

    def all(self, sql: str, *args) -> list[sqlite3.Row]:
        return self.connection().execute(sql, args).fetchall()

    def setting(self, name: str, default=None):
        row = self.one("SELECT value FROM setting WHERE name = ?", name)
        return json.loads(row["value"]) if row else default

    def set_setting(self, name: str, value, db: sqlite3.Connection | None = None) -> None:
        sql = "INSERT INTO setting (name, value) VALUES (?, ?) " \
              "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        if db is not None:
            db.execute(sql, (name, json.dumps(value)))
            return
        with self.tx() as conn:
            conn.execute(sql, (name, json.dumps(value)))
