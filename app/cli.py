"""Command-line interface: `flask --app wsgi COMMAND` (DESIGN §8)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .db import database
from .domain import accounts
from .domain.demo import seed_demo
from .migrate import upgrade, upgrade_if_needed
from .models import TOKEN_ROLES


def _session():
    return database().session(write=True)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade_command():
    """Bring the schema to the newest revision (Alembic)."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database schema is up to date")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo offices (idempotent; upgrades the schema first)."""
    upgrade_if_needed(current_app.config["DATABASE_URL"])
    with _session() as session:
        added = seed_demo(session)
        session.commit()
    click.echo("demo data: " + ", ".join(f"{n} {kind} added" for kind, n in added.items()))


@click.command("api-token")
@with_appcontext
@click.argument("role", type=click.Choice(TOKEN_ROLES))
@click.option("--office", "office_code", help="office code, e.g. 351504")
@click.option("--desa", "desa_code", help="desa code, e.g. 3515042001 (desa_staff)")
@click.option("--label", default="", help="a note to recognise the token by")
def api_token_command(role, office_code, desa_code, label):
    """Mint an API token; the token is printed on the last line, once."""
    with _session() as session:
        if role in accounts.OFFICE_ROLES and office_code is None and desa_code is None:
            office_code = accounts.default_office(session)
            if office_code is None:
                _fail(f"role {role} needs --office and there is no office yet (run seed-demo)")
            click.echo(f"note: no --office given; the token is scoped to office {office_code}",
                       err=True)
        try:
            token, secret = accounts.mint_token(session, role, office_code, desa_code, label)
        except accounts.AccountError as error:
            _fail(str(error))
        session.commit()
        scope = token.desa_code or token.office_code or "all offices"
        click.echo(f"token {token.id}: role {token.role}, scope {scope}")
    click.echo(secret)


@click.command("api-tokens")
@with_appcontext
def api_tokens_command():
    """List API tokens (id, role, scope, last use); never the secrets."""
    with _session() as session:
        tokens = accounts.list_tokens(session)
    click.echo(f"{'id':>4}  {'role':<14} {'office':<7} {'desa':<11} {'last use':<20} state")
    for t in tokens:
        last = t.last_used_at.strftime("%Y-%m-%d %H:%M UTC") if t.last_used_at else "never"
        state = "revoked" if t.revoked_at else "active"
        click.echo(f"{t.id:>4}  {t.role:<14} {t.office_code or '-':<7} {t.desa_code or '-':<11} "
                   f"{last:<20} {state}")


@click.command("revoke-token")
@with_appcontext
@click.argument("token_id", type=int)
def revoke_token_command(token_id):
    """Revoke an API token by id."""
    with _session() as session:
        if not accounts.revoke_token(session, token_id):
            _fail(f"no active token with id {token_id}")
        session.commit()
    click.echo(f"token {token_id} revoked")


@click.group("users", cls=AppGroup)
def users_group():
    """Staff accounts."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(("admin", "officer", "desa_staff",
                                                          "kiosk")))
@click.option("--office", "office_code")
@click.option("--desa", "desa_code")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def users_add_command(username, role, office_code, desa_code, password_stdin):
    """Add a staff user; the password is asked for (or read from stdin), argon2-hashed."""
    password = _read_password(password_stdin)
    with _session() as session:
        try:
            user = accounts.create_user(session, username, password, role, office_code,
                                        desa_code)
        except accounts.AccountError as error:
            _fail(str(error))
        session.commit()
        click.echo(f"user {user.username} ({user.role}) added")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


@users_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def users_set_password_command(username, password_stdin):
    """Give a staff user a new password; every sign-in of theirs ends at once."""
    password = _read_password(password_stdin)
    with _session() as session:
        try:
            user = accounts.set_password(session, username, password)
        except accounts.AccountError as error:
            _fail(str(error))
        session.commit()
        click.echo(f"password of {user.username} changed; their sessions are ended")


@users_group.command("disable")
@click.argument("username")
def users_disable_command(username):
    """Disable a staff user (or a kiosk's account): no more sign-ins, every session ended."""
    with _session() as session:
        try:
            user = accounts.disable_user(session, username)
        except accounts.AccountError as error:
            _fail(str(error))
        session.commit()
        click.echo(f"user {user.username} disabled; their sessions are ended")


def register_cli(app: Flask) -> None:
    for command in (db_upgrade_command, seed_demo_command, api_token_command,
                    api_tokens_command, revoke_token_command, users_group):
        app.cli.add_command(command)
    from . import cli_booking, cli_receipts

    cli_receipts.register(app)
    cli_booking.register(app)
    from . import cli_survey  # issue 17

    cli_survey.register(app)
    from . import cli_outreach  # issue 14: coverage-import

    cli_outreach.register(app)
    from . import cli_lobby  # issue 12

    cli_lobby.register(app)
