"""Counting the SQL statements one request sends (issue 11: a statement budget is a test).

Every statement either engine of the app sends to its cursor is counted, PRAGMAs included,
except the test binding's own plumbing: `SAVEPOINT`, `RELEASE SAVEPOINT` and `ROLLBACK TO
SAVEPOINT` are what tests/support/bound_database.py puts where production says BEGIN and COMMIT
(SQLite's explicit `BEGIN`/`BEGIN IMMEDIATE` from app/db.py would be counted, but the binding's
transaction is already open, so they never run in a test). Excluded statements are kept in
`skipped`, so a test can show them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event

BINDING_PLUMBING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class Statements:
    counted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.counted)

    def report(self) -> str:
        return "\n".join(f"{n}. {' '.join(s.split())[:160]}" for n, s in
                         enumerate(self.counted, 1)) or "(none)"


@contextmanager
def counting(app: Flask) -> Iterator[Statements]:
    """Statements sent through the app's read and write engines inside the block."""
    database = app.extensions["rekam_db"]
    engines = {id(e): e for e in (database.read_engine, database.write_engine)}.values()
    seen = Statements()

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        plumbing = statement.lstrip().upper().startswith(BINDING_PLUMBING)
        (seen.skipped if plumbing else seen.counted).append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
