"""Lobby call board: the tickets being called and their desks, the next numbers and how many
wait, for a TV (DESIGN §5); and a ticket's own status page on the holder's phone. No names, no
NIKs: only numbers. Both work without JavaScript (they refresh) and update live with it."""

from flask import Blueprint, abort

from ...db import get_session
from ...domain import office_status, queue
from ...domain.offices import get_office
from ..auth import public
from ..rendering import PageCache, render

bp = Blueprint("display", __name__)
public(bp)  # a lobby TV signs in as no one: the board shows no names

BOARD_POLL_SECONDS = 3  # a call shows on the board within 5 s: 3 s poll + 1 s cache + the trip
TICKET_POLL_SECONDS = 10
# Every TV in every lobby asks every 3 s, and the board is the same for all of them: one render
# a second per worker serves them all (a worker that misses renders; nothing is shared).
board_cache = PageCache(ttl=1.0, max_entries=256)


@bp.get("/display/<office_code>")
@board_cache
def show_display(office_code):
    session = get_session()
    office = get_office(session, office_code)
    if office is None:
        abort(404)
    return render("display/show.html", block="board", office=office,
                  board=queue.board(session, office), poll=BOARD_POLL_SECONDS,
                  service=office_status.current(session, office.code))


@bp.get("/tiket/<public_id>")
def show_ticket_status(public_id):
    session = get_session()
    ticket = queue.by_public_id(session, public_id)
    if ticket is None:
        abort(404)
    return render("display/ticket.html", block="status", place=queue.standing(session, ticket),
                  office=get_office(session, ticket.office_code), poll=TICKET_POLL_SECONDS)
