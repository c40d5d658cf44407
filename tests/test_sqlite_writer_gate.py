"""Issue 11: SQLite writers of different processes queue on a file lock beside the database
(app/db.py `_WriterGate`), so a waiting writer starts the moment the other commits instead of
sleeping in SQLite's busy handler. Two engines on one file stand for two gunicorn workers: each
opens the lock file itself, as a process does."""

from __future__ import annotations

import fcntl
import os
import threading

from sqlalchemy import text

from app.db import make_engines


def _lock_is_held(path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_second_writer_waits_on_the_file_lock_and_goes_on_at_the_commit(tmp_path):
    url = f"sqlite:///{tmp_path}/gate.sqlite3"
    _read, first = make_engines(url)
    _read2, second = make_engines(url)
    lock = tmp_path / "gate.sqlite3-writer.lock"
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    started, done = threading.Event(), threading.Event()

    def other_worker():
        started.set()
        with second.begin() as conn:  # waits at the gate, not in SQLite's busy handler
            conn.execute(text("INSERT INTO t VALUES (2)"))
        done.set()

    holder = first.connect()
    transaction = holder.begin()
    holder.execute(text("INSERT INTO t VALUES (1)"))
    assert _lock_is_held(lock)
    thread = threading.Thread(target=other_worker)
    thread.start()
    started.wait(5)
    assert not done.wait(0.2)  # still queued behind the first writer
    transaction.commit()
    holder.close()
    assert done.wait(10)
    thread.join(10)
    assert not _lock_is_held(lock)  # released at the commit
    with first.connect() as conn:
        assert sorted(conn.execute(text("SELECT n FROM t")).scalars()) == [1, 2]
    for engine in (first, second, _read, _read2):
        engine.dispose()
