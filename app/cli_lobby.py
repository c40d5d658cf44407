"""Lobby commands: `pair-kiosk` (DESIGN §8), `kiosks`, `revoke-kiosk`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .db import database
from .domain import lobby


def pairing_url(code: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/kiosk/pair/{code}"


@click.command("pair-kiosk")
@with_appcontext
@click.option("--office", "office_code", required=True, help="office code, e.g. 351504")
@click.option("--name", default=None, help="the kiosk's name as officers see it")
def pair_kiosk_command(office_code, name):
    """A one-time link that makes the browser opening it this office's kiosk (valid 24 h);
    printed on the last line."""
    with database().session(write=True) as session:
        try:
            kiosk, code = lobby.create_pairing(session, office_code, name, "cli")
        except lobby.LobbyError as error:
            click.echo(f"error: {error.code}", err=True)
            sys.exit(2)
        session.commit()
    click.echo(f"kiosk {kiosk.id} ({kiosk.name}), office {kiosk.office_code}; open this link "
               f"once on the kiosk within {lobby.PAIRING_HOURS} hours:")
    click.echo(pairing_url(code))


@click.command("kiosks")
@with_appcontext
def kiosks_command():
    """List kiosks: id, office, name, state."""
    with database().session(write=False) as session:
        for kiosk in lobby.list_kiosks(session):
            state = ("revoked" if kiosk.revoked_at else "paired" if kiosk.paired_at
                     else "waiting for pairing")
            click.echo(f"{kiosk.id}\t{kiosk.office_code}\t{kiosk.name}\t{state}")


@click.command("revoke-kiosk")
@with_appcontext
@click.argument("kiosk_id", type=int)
def revoke_kiosk_command(kiosk_id):
    """Stop a lost or retired kiosk at once."""
    with database().session(write=True) as session:
        try:
            lobby.revoke(session, kiosk_id, "cli")
        except lobby.LobbyError as error:
            click.echo(f"error: {error.code}", err=True)
            sys.exit(2)
        session.commit()
    click.echo(f"kiosk {kiosk_id} revoked")


def register(app: Flask) -> None:
    for command in (pair_kiosk_command, kiosks_command, revoke_kiosk_command):
        app.cli.add_command(command)
