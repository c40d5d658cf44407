"""Receipt commands: `rotate-keys`, `signing-cert`, `mark-recorded`, `render-receipt` (DESIGN §8)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .adapters import pades
from .db import database
from .domain import receipts
from .domain.booking import find_current
from .domain.codes import normalise_code
from .formatting import display_code


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command():
    """Make a new signing key: published at once, it signs new receipts once every copy of
    the key set has it (receipts.PUBLISH_LEAD later); old keys stay published until their last
    receipt expires."""
    with database().session(write=True) as session:
        key = receipts.rotate_keys(session, current_app.config["DATA_KEY"])
        session.commit()
        published = [k.kid for k in receipts.published_keys(session)]
    signs_from = key.created_at + receipts.PUBLISH_LEAD
    click.echo(f"new signing key {key.kid}, published now, signs from "
               f"{signs_from:%Y-%m-%d %H:%M} UTC; published keys: {', '.join(published)}")


@click.command("signing-cert")
@with_appcontext
@click.option("--office-name", default="Kantor Kecamatan", help="name in the demo certificate")
def signing_cert_command(office_name):
    """Create the demo CA and office certificate that PAdES-sign receipt PDFs (a real PSrE
    certificate goes in the same folder: office.pem, office.key, ca.pem)."""
    configured = current_app.config.get("PADES_DIR")
    directory = Path(configured or Path(current_app.instance_path) / "pades")
    if pades.is_complete(directory):
        click.echo(f"signing certificate already in {directory}")
        return
    if configured and directory.exists():
        click.echo(f"error: {directory} is incomplete (office.pem, office.key, ca.pem)", err=True)
        sys.exit(2)
    pades.make_demo_certificate(directory, office_name)
    click.echo(f"demo signing certificate created in {directory} (trust root: "
               f"{directory / pades.CA})")


@click.command("mark-recorded")
@with_appcontext
@click.argument("code")
def mark_recorded_command(code):
    """Mark a checked-in booking as recorded and issue its recording receipt (until the capture
    module does this itself)."""
    with database().session(write=True) as session:
        booking = find_current(session, normalise_code(code))
        if booking is None:
            click.echo(f"error: no booking with code {code}", err=True)
            sys.exit(2)
        try:
            receipt = receipts.mark_recorded(session, booking, "cli",
                                             data_key=current_app.config["DATA_KEY"])
        except receipts.ReceiptError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        session.commit()
        receipt_url, verify_url = receipts.receipt_urls(receipt, current_app.config["BASE_URL"])
    click.echo(f"booking {display_code(booking.code)} recorded; recording receipt: {receipt_url}")
    click.echo(verify_url)


@click.command("render-receipt")
@with_appcontext
@click.argument("code")
def render_receipt_command(code):
    """Render and keep the current booking receipt's PDF of a booking now, before anyone
    downloads it (the `prerender` job does the same in the background)."""
    from .jobs import render_receipt

    with database().session(write=False) as session:
        booking = find_current(session, normalise_code(code))
        receipt = receipts.latest_receipt(session, booking.id) if booking else None
    sha256 = render_receipt(receipt.id) if receipt else None
    if sha256 is None:
        click.echo(f"error: no receipt to render for code {code}", err=True)
        sys.exit(2)
    click.echo(f"receipt of {display_code(booking.code)} rendered; sha256 {sha256}")


def register(app: Flask) -> None:
    for command in (rotate_keys_command, signing_cert_command, mark_recorded_command,
                    render_receipt_command):
        app.cli.add_command(command)
