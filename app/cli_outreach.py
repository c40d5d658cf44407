"""Coverage command: `coverage-import FILE --office CODE --year YYYY` (DESIGN §8, issue 14).

Prints one line per problem row and a summary; exits 0 whenever the file was read, even with
problems (they are the point: the office's hand-kept table is imperfect), 2 when it was not.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from . import messages
from .db import database
from .domain import coverage
from .domain.errors import ValidationError
from .domain.offices import get_office


def problem_line(problem) -> str:
    """`row 2: Porong: inconsistent: belum 150 ≠ wajib − sudah = 1084` — the problem's code
    (app.domain.coverage.PROBLEMS) and what the row says."""
    detail = f": {problem.detail}" if problem.detail else ""
    return f"row {problem.row}: {problem.desa}: {problem.problem}{detail}"


@click.command("coverage-import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--office", "office_code", required=True, help="office code, e.g. 351504")
@click.option("--year", required=True, type=int)
def coverage_import_command(file: Path, office_code: str, year: int):
    """Import a yearly coverage table (desa, wajib, sudah, belum) and report its problems."""
    with database().session(write=True) as session:
        office = get_office(session, office_code)
        if office is None:
            click.echo(f"error: no office {office_code}", err=True)
            sys.exit(2)
        try:
            text = file.read_text(encoding="utf-8-sig")
            result = coverage.import_table(session, office, year, text, actor="cli",
                                           filename=file.name)
        except (UnicodeDecodeError, ValidationError) as error:
            reason = (messages.field_messages(error) if isinstance(error, ValidationError)
                      else {"file": "not UTF-8 text"})
            click.echo(f"error: {'; '.join(str(v) for v in reason.values())}", err=True)
            sys.exit(2)
        session.commit()
        for problem in result.problems:
            click.echo(problem_line(problem))
        rows = {p.row for p in result.problems}
        click.echo(f"imported {result.rows} rows for {office.code} {year}: "
                   f"{len(rows)} rows with problems, {len(result.problems)} problems")


def register(app: Flask) -> None:
    app.cli.add_command(coverage_import_command)
