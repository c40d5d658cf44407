"""Survey command (issue 17): `survey-codes --office CODE [--count N]` prints single-use survey
codes, one a line, for slips printed elsewhere (an outreach visit without a counter PC). The
same `ikm.issue_survey_tokens` as the counter page: only the codes' hashes are kept."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from .db import database
from .domain import ikm


@click.command("survey-codes")
@with_appcontext
@click.option("--office", "office_code", required=True, help="office code, e.g. 351504")
@click.option("--count", default=1, show_default=True,
              type=click.IntRange(1, ikm.MAX_TOKENS_PER_CALL), help="how many codes")
def survey_codes_command(office_code, count):
    """Print new single-use survey codes for an office's pool of this month."""
    with database().session(write=True) as session:
        try:
            tokens = ikm.issue_survey_tokens(session, office_code, count)
        except LookupError:
            raise click.ClickException(f"no office {office_code}") from None
        session.commit()
    for token in tokens:
        click.echo(ikm.display_token(token))


def register(app: Flask) -> None:
    app.cli.add_command(survey_codes_command)
