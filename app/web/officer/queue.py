"""The officer's queue screen (issue 12): call the next ticket to a desk, recall, skip, put a
skipped ticket back, send to a recording station or a counter; the kiosks' open help calls; and
the counter walk-in form (the same domain function as the kiosk's walk-in door)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask import session as browser_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from ... import messages
from ...db import get_session
from ...domain import booking as bookings
from ...domain import lobby, queue
from ...models import Office, Ticket
from ..auth import current_user, guard
from ..forms import PostForm
from ..kiosk.forms import WalkInForm
from ..rendering import render
from ..walk_in import walk_in_applicant, walk_in_form

bp = Blueprint("officer_queue", __name__, url_prefix="/officer/antrean")
guard(bp, "officer", "admin")
POOL_WORDS = {"station": _l("stasiun perekaman"), "counter": _l("loket dokumen")}
POLL_SECONDS = 10


class DeskForm(PostForm):
    counter = SelectField(_l("Loket Anda"), validate_choice=False,
                          validators=[InputRequired(_l("Pilih loket Anda."))])


class ActionForm(PostForm):
    """A button that posts (recall, skip, put back, help answered)."""


class SendForm(PostForm):
    pool = HiddenField(validators=[InputRequired()])


def _office() -> Office:
    """The officer's own office; an admin without one has no lobby to run."""
    user = current_user()
    office = get_session().get(Office, user.office_code) if user.office_code else None
    if office is None:
        abort(403)
    return office


def _actor() -> str:
    return f"user:{current_user().id}"


def _desk_form(office: Office, formdata=None) -> DeskForm:
    form = DeskForm(formdata=formdata, data={"counter": browser_session.get("desk")})
    form.counter.choices = [SelectChoice(d.code, f"{d.name} ({POOL_WORDS[d.pool]})")
                            for d in queue.desks(get_session(), office.code)]
    return form


def _ticket(ticket_id: int) -> Ticket:
    ticket = get_session().get(Ticket, ticket_id)
    if ticket is None or ticket.office_code != _office().code:
        abort(404)
    return ticket


def _queue_page(office: Office, *, desk_form=None, notice=None, error=None, status=200):
    session = get_session()
    tickets = queue.desk_tickets(session, office)
    return render("officer/queue.html", block="live" if request.method == "GET" else None,
                  office=office, desk_form=desk_form or _desk_form(office),
                  desk=browser_session.get("desk"), tickets=tickets,
                  number=queue.display_number, help_calls=lobby.open_help_calls(session, office),
                  action_form=ActionForm(formdata=None), pool_words=POOL_WORDS,
                  notice=notice, error=error, poll=POLL_SECONDS, status=status)


def _notice() -> str | None:
    """What the last action did, said once after its redirect."""
    called, created = request.args.get("dipanggil", "")[:8], request.args.get("baru", "")[:8]
    if called == "-":
        return _("Tidak ada yang menunggu untuk loket ini.")
    if called:
        return _("Dipanggil: %(number)s", number=called)
    return _("Nomor antrean baru: %(number)s", number=created) if created else None


@bp.get("/")
def show_queue():
    return _queue_page(_office(), notice=_notice())


@bp.post("/panggil")
def call_next_ticket():
    office = _office()
    form = _desk_form(office, request.form)
    if not form.validate_on_submit():
        return _queue_page(office, desk_form=form, status=422)
    browser_session["desk"] = form.counter.data
    try:
        ticket = queue.call_next(get_session(), office, form.counter.data, _actor())
    except queue.QueueError as refusal:
        get_session().rollback()
        form.counter.errors.append(messages.QUEUE_REFUSALS[refusal.code])
        return _queue_page(office, desk_form=form, status=422)
    get_session().commit()
    called = queue.display_number(ticket.lane, ticket.number) if ticket else "-"
    return redirect(url_for(".show_queue", dipanggil=called), code=303)


ACTIONS = {"ulang": queue.recall, "lewati": queue.skip, "kembalikan": queue.put_back}


@bp.post("/<int:ticket_id>/<any(ulang, lewati, kembalikan):action>")
def change_ticket(ticket_id, action):
    ticket = _ticket(ticket_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        ACTIONS[action](get_session(), ticket, _actor())
    except queue.QueueError as refusal:
        get_session().rollback()
        return _queue_page(_office(), error=messages.QUEUE_REFUSALS[refusal.code], status=409)
    get_session().commit()
    return redirect(url_for(".show_queue"), code=303)


@bp.post("/<int:ticket_id>/kirim")
def send_ticket(ticket_id):
    ticket = _ticket(ticket_id)
    form = SendForm()
    if not form.validate_on_submit() or form.pool.data not in POOL_WORDS:
        abort(400)
    try:
        queue.send_to(get_session(), ticket, form.pool.data, _actor())
    except queue.QueueError as refusal:
        get_session().rollback()
        return _queue_page(_office(), error=messages.QUEUE_REFUSALS[refusal.code], status=409)
    get_session().commit()
    return redirect(url_for(".show_queue"), code=303)


@bp.post("/bantuan/<int:call_id>")
def answer_help(call_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        lobby.answer_help_call(get_session(), call_id, _office().code, _actor())
    except lobby.LobbyError:
        get_session().rollback()
        abort(404)
    get_session().commit()
    return redirect(url_for(".show_queue"), code=303)


# --- the counter walk-in ---------------------------------------------------------------------


def _walk_in_form(office: Office, formdata=None) -> WalkInForm:
    return walk_in_form(office, _l("Dari luar kecamatan ini"), formdata)


def _walk_in_page(office, form, *, next_slots=None, status=200):
    form.nik.raw_data, form.nik.data = None, ""  # never echo a NIK back
    return render("officer/queue_walk_in.html", office=office, form=form,
                  next_slots=next_slots, status=status)


@bp.get("/tanpa-jadwal")
def show_walk_in():
    office = _office()
    return _walk_in_page(office, _walk_in_form(office))


@bp.post("/tanpa-jadwal")
def register_walk_in():
    office = _office()
    form = _walk_in_form(office, request.form)
    applicant = walk_in_applicant(form, office, "officer") if form.validate() else None
    if applicant is None:
        return _walk_in_page(office, form, status=422)
    try:
        made = lobby.walk_in(get_session(), office=office, service=form.service.data,
                             applicant=applicant, channel="officer", actor=_actor())
    except lobby.NoWalkInCapacity as full:
        get_session().rollback()
        return _walk_in_page(office, form, next_slots=full.next_slots, status=409)
    except bookings.BookingError as error:
        get_session().rollback()
        form.nik.errors.append(messages.conflict_message(error.code))
        return _walk_in_page(office, form, status=422)
    get_session().commit()
    number = queue.display_number(made.ticket.lane, made.ticket.number)
    return redirect(url_for(".show_queue", baru=number), code=303)
