"""Booking commands: `book`, `station-state`, `retention` (DESIGN §8), `unplaced-bookings`,
`booking-check`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import messages
from .db import database
from .domain import booking as bookings
from .domain import capacity, receipts, retention, stations
from .domain.booking import counter_drift
from .domain.errors import ValidationError
from .domain.offices import get_office
from .formatting import display_code
from .models import STATION_STATES, Booking, Office, Slot


def _when(session, slot: Slot) -> str:
    return _local_when(session.get(Office, slot.office_code), slot)


def _local_when(office: Office, slot: Slot) -> str:
    start = capacity.local(office, slot.starts_at)
    return f"{start:%Y-%m-%d %H:%M} {capacity.zone_name(office)}"


@click.command("station-state")
@with_appcontext
@click.argument("station")
@click.argument("state", type=click.Choice(STATION_STATES))
def station_state_command(station, state):
    """Set a station down/active/maintenance; recompute capacity and move who no longer fits.

    A person's decision: a missed capture heartbeat only raises an alarm and never calls this.
    """
    with database().session(write=True) as session:
        try:
            result = stations.set_station_state(session, station, state, "cli")
        except stations.StationError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        session.commit()
        click.echo(f"station {station} is {state}; {result.capacity} places per slot in its "
                   f"pool from now; {result.slots_changed} future slots recomputed")
        for move in result.moved:
            click.echo(f"moved {display_code(move.booking.code)}: {_when(session, move.old_slot)}"
                       f" -> {_when(session, move.new_slot)} (message queued)")
        if result.unplaced:
            click.echo(f"NOT MOVED ({len(result.unplaced)}): no free place within the horizon; "
                       "they keep their slot - call them (listed by `flask unplaced-bookings`):")
        for booking, slot in result.unplaced:
            click.echo(f"  {display_code(booking.code)} {_when(session, slot)}"
                       f"{' phone ' + booking.phone if booking.phone else ' no phone'}")


@click.command("book")
@with_appcontext
@click.option("--office", "office_code", required=True, help="office code, e.g. 351504")
@click.option("--slot", "slot_id", required=True, type=int, help="slot id (see the slots API)")
@click.option("--service", required=True, help="pemula, rusak, hilang, perubahan or pindah")
@click.option("--name", required=True, help="as on the Kartu Keluarga")
@click.option("--phone", default=None)
@click.option("--desa", default=None, help="desa code; absent: from outside this kecamatan")
@click.option("--ever-married", is_flag=True, help="may record a first e-KTP before 17")
def book_command(office_code, slot_id, service, name, phone, desa, ever_married):
    """Book a place for a resident at the counter. The NIK is read from stdin, never taken as
    an argument: it would stay in the shell history and in `ps` (DESIGN §9)."""
    nik = sys.stdin.readline().strip()
    try:
        booked, office = _book(office_code, slot_id, service, nik, name, phone, desa,
                               ever_married)
    except ValidationError as error:
        _refuse({f"{field} [{error.errors[field]}]": text
                 for field, text in messages.field_messages(error).items()})
    except bookings.BookingError as error:
        _refuse({error.code: messages.conflict_message(error.code)})
    click.echo(f"booked {display_code(booked.booking.code)} "
               f"{_local_when(office, booked.slot)}")
    click.echo(receipts.receipt_urls(booked.receipt, current_app.config["BASE_URL"])[1])


def _book(office_code, slot_id, service, nik, name, phone, desa, ever_married):
    """The same two domain doors as the page and the API: check who books (in a read session,
    with the slot: on SQLite the write lock waits for none of it), then take a place."""
    key = current_app.config["DATA_KEY"]
    with database().session(write=False) as reader:
        office = get_office(reader, office_code)
        if office is None:
            _refuse({"office": messages.field_message("office", "unknown")}, exit_code=2)
        place = bookings.read_place(reader, slot_id, desa=desa or bookings.OUTSIDE,
                                    nik_hash=bookings.hash_of_typed_nik(nik, key.encode()))
        applicant = bookings.validate_applicant(
            reader, office=office, service=service, nik=nik, name=name, key=key.encode(),
            desa=desa or bookings.OUTSIDE, phone=phone, ever_married=ever_married,
            channel="officer", place=place)
    with database().session(write=True) as session:
        booked = bookings.book(session, office=office, slot_id=slot_id, service=service,
                               applicant=applicant, channel="officer", actor="cli",
                               place=place, data_key=key)
        session.commit()
    return booked, office


def _refuse(errors: dict[str, str], exit_code: int = 1):
    for what, text in errors.items():
        click.echo(f"error {what}: {text}", err=True)
    sys.exit(exit_code)


@click.command("unplaced-bookings")
@with_appcontext
@click.option("--office", "office_code")
def unplaced_bookings_command(office_code):
    """Bookings a station breakdown left without a place, for the admin to sort out."""
    with database().session(write=False) as session:
        rows = stations.open_unplaced(session, office_code)
        for row in rows:
            booking = session.get(Booking, row.booking_id)
            slot = session.get(Slot, booking.slot_id)
            click.echo(f"{display_code(booking.code)} {_when(session, slot)} "
                       f"{booking.status} ({row.cause})")
        if not rows:
            click.echo("no unplaced bookings")


@click.command("booking-check")
@with_appcontext
def booking_check_command():
    """Compare every slot's counters with a recount of its bookings (exit 1 on a difference)."""
    with database().session(write=False) as session:
        drift = counter_drift(session)
    for d in drift:
        click.echo(f"slot {d.slot_id}: booked {d.booked} but {d.counted} bookings; "
                   f"priority {d.booked_priority} but {d.counted_priority}")
    click.echo("counters match the bookings" if not drift else f"{len(drift)} slots differ")
    sys.exit(1 if drift else 0)


RETENTION_LABELS = {"bookings": "bookings emptied", "receipts": "receipts emptied",
                    "outbox": "messages emptied", "drafts": "form drafts deleted",
                    "home_visits": "home-visit requests emptied",
                    "reports": "report contacts emptied"}


@click.command("retention")
@with_appcontext
def retention_command():
    """Delete what the retention rule says is due (the job worker runs this daily); prints
    what was removed, per kind."""
    with database().session(write=True) as session:
        counts = retention.purge_due(session, actor="cli")
        session.commit()
    for kind, count in counts.items():
        click.echo(f"{RETENTION_LABELS.get(kind, kind)}: {count}")


def register(app: Flask) -> None:
    for command in (book_command, station_state_command, unplaced_bookings_command,
                    booking_check_command, retention_command):
        app.cli.add_command(command)
