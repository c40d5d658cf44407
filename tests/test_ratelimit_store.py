"""The embedded rate-limit store (app/adapters/ratelimit_store.py) through the `limits`
strategies Flask-Limiter uses: exact counts across processes, windows that move with the clock."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from app.adapters.ratelimit_store import SQLiteStorage
from app.config import load_config


class Clock:
    def __init__(self, at: float = 1_800_000_000.0):
        self.at = at

    def __call__(self) -> float:
        return self.at


def _uri(tmp_path) -> str:
    return f"rekam-sqlite://{tmp_path / 'limits.sqlite3'}"


def test_the_configuration_names_the_file_in_the_instance_folder(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path / "my instance")})
    storage = storage_from_string(config["RATELIMIT_STORAGE_URI"])
    assert isinstance(storage, SQLiteStorage)
    assert storage.path == tmp_path / "my instance" / "ratelimits.sqlite3"
    assert config["RATELIMIT_STRATEGY"] == "moving-window"


def test_redis_url_moves_the_counters_to_redis(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"


def test_the_moving_window_lets_exactly_the_limit_through_and_frees_as_entries_age(tmp_path):
    clock = Clock()
    limiter = MovingWindowRateLimiter(SQLiteStorage(_uri(tmp_path), clock=clock))
    five = parse("5 per 15 minutes")
    for _ in range(5):  # one a minute
        clock.at += 60
        assert limiter.hit(five, "user|addr")
    assert not limiter.hit(five, "user|addr")
    assert limiter.hit(five, "other|addr")  # keys do not share
    reset, remaining = limiter.get_window_stats(five, "user|addr")
    assert remaining == 0 and reset == pytest.approx(clock.at - 4 * 60 + 15 * 60)
    clock.at = reset + 0.5  # the oldest entry is out of the window: one place again
    assert limiter.hit(five, "user|addr")
    assert not limiter.hit(five, "user|addr")
    limiter.clear(five, "user|addr")
    assert limiter.get_window_stats(five, "user|addr").remaining == 5


def test_the_fixed_window_counts_and_restarts_after_expiry(tmp_path):
    clock = Clock()
    storage = SQLiteStorage(_uri(tmp_path), clock=clock)
    limiter = FixedWindowRateLimiter(storage)
    three = parse("3 per minute")
    assert [limiter.hit(three, "k") for _ in range(4)] == [True, True, True, False]
    assert storage.get_expiry(three.key_for("k")) == clock.at + 60
    clock.at += 61
    assert limiter.hit(three, "k")
    assert storage.get(three.key_for("k")) == 1
    assert storage.reset() == 1 and storage.get(three.key_for("k")) == 0


def _take_places(args) -> int:
    uri, tries = args
    limiter = MovingWindowRateLimiter(storage_from_string(uri))
    hundred = parse("100 per hour")
    return sum(limiter.hit(hundred, "shared") for _ in range(tries))


def _count_up(args) -> int:
    uri, tries = args
    storage = storage_from_string(uri)
    return max(storage.incr("counter", 3600) for _ in range(tries))


def test_processes_racing_for_places_get_exactly_the_limit_between_them(tmp_path):
    uri = _uri(tmp_path)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        taken = pool.map(_take_places, [(uri, 60)] * 4)
        highest = pool.map(_count_up, [(uri, 50)] * 4)
    assert sum(taken) == 100
    assert max(highest) == 200  # no increment lost
    assert (tmp_path / "limits.sqlite3").stat().st_mode & 0o077 == 0


class LockedOnce(Clock):
    """A clock that answers SQLite's immediate "locked" the first time it is read inside a
    transaction, as WAL does now and then without waiting in its busy handler."""

    def __init__(self, message: str = "database is locked"):
        super().__init__()
        self.message, self.raised = message, 0

    def __call__(self) -> float:
        if not self.raised:
            self.raised += 1
            raise sqlite3.OperationalError(self.message)
        return self.at


def test_an_immediate_locked_answer_is_tried_again_and_counts_once(tmp_path):
    clock = LockedOnce()
    storage = SQLiteStorage(_uri(tmp_path), clock=clock)
    assert storage.acquire_entry("user|addr", 5, 900)  # was a 500 in a CI sign-in rush
    assert clock.raised == 1
    assert storage.get_moving_window("user|addr", 5, 900)[1] == 1  # rolled back, then once
    assert not storage._db().in_transaction


def test_other_database_errors_are_not_hidden(tmp_path):
    storage = SQLiteStorage(_uri(tmp_path), clock=LockedOnce("disk I/O error"))
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        storage.acquire_entry("user|addr", 5, 900)
    assert not storage._db().in_transaction


def _open_at_once(path, start, failures):
    storage = SQLiteStorage(f"rekam-sqlite://{path}")

    def first_request():
        start.wait()
        try:
            storage.get_moving_window("user|addr", 5, 900)
        except sqlite3.Error as error:
            failures.put(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=first_request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_workers_opening_a_new_store_at_once_all_get_through(tmp_path):
    """Three workers × four threads making their first request together on a fresh store: each
    opens its connection and sets the file up. Unserialised, about one round in ten failed
    outright ("disk I/O error" while another created the WAL index) — a 500 in CI."""
    failures = multiprocessing.Queue()
    for round_ in range(15):
        start = multiprocessing.Barrier(12)
        workers = [multiprocessing.Process(target=_open_at_once,
                                           args=(tmp_path / f"{round_}.sqlite3", start, failures))
                   for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert all(worker.exitcode == 0 for worker in workers)
    found = []
    while not failures.empty():
        found.append(failures.get())
    assert found == []
