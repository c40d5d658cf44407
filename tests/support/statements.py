"""Counting the SQL statements one request sends (issue 11: a statement budget is a test).

Every statement either engine of the app sends to its cursor is counted, PRAGMAs included,
except transaction control, kept apart in `skipped` (`Statements.transactions` says how many):
- `SAVEPOINT`, `RELEASE SAVEPOINT`, `ROLLBACK TO SAVEPOINT`: what tests/support/bound_database.py
  puts where production begins and commits, and what `begin_nested` sends in the booking;
- `BEGIN`/`BEGIN IMMEDIATE`: SQLite's explicit begin from app/db.py. PostgreSQL's driver begins
  without a statement of its own and COMMIT is the driver's call on either, so counting BEGIN
  would make one budget differ by dialect.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event

TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


@dataclass
class Statements:
    counted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.counted)

    @property
    def transactions(self) -> int:
        return sum(1 for s in self.skipped if s.lstrip().upper().startswith("BEGIN"))

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
        control = statement.lstrip().upper().startswith(TRANSACTION_CONTROL)
        (seen.skipped if control else seen.counted).append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
