"""A new row written as one INSERT statement, without the ORM's unit of work.

The booking's write transaction inserts a booking, its audit line and its receipt; through
session.add + flush the unit of work (state tracking, dependency sort, per-row bookkeeping) cost
about a third of a whole booking request (issue 11, BENCHMARKS.md "Profiles"). Here the object's
own column values go out in one INSERT … RETURNING id, and the object is then placed in the
session as persistent, exactly as if it had been read: nothing is flushed for it later, and
later changes to it are tracked as usual.
"""

from __future__ import annotations

import functools
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel

Row = TypeVar("Row", bound=SQLModel)


@functools.cache
def _insert(table: sa.Table) -> sa.Insert:
    return sa.insert(table).returning(table.c.id)


def insert(session: Session, row: Row) -> Row:
    """INSERT `row` (a new object whose primary key is `id`) and make it persistent in `session`.
    Every column must have its value on the object (Python-side defaults, none left to the
    server), since the object is not read back."""
    table = type(row).__table__
    values = {column.key: getattr(row, column.key) for column in table.columns
              if column.key != "id" or row.id is not None}
    row.id = session.execute(_insert(table), values).scalar_one()
    make_transient_to_detached(row)
    session.add(row)
    # What a flush does for the rows it inserts (Session._register_altered): the innermost
    # transaction notes the object as new in it, so that a rollback of it — or of a SAVEPOINT
    # it is in — takes the object out of the session again instead of leaving a row that
    # does not exist (tests/domain/test_rows.py holds this to the pinned SQLAlchemy).
    session._transaction._new[sa.inspect(row)] = True
    return row
