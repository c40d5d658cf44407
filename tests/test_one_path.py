"""One path per action (issue 10): the booking page, the API and `flask book` call the same
domain doors (`booking.validate_applicant`, `booking.create_booking`), so the same bad input is
refused with the same codes — and, through app/messages.py, the same words — by all three."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import update

from app import messages
from app.domain import booking as bookings
from app.domain.errors import ValidationError
from app.domain.offices import get_office
from app.models import Slot
from tests.support.booking import book, slot_at, tuesday

pytestmark = pytest.mark.db

GOOD = {"nik": "3515045203070003", "name": "Siti Aminah", "desa": "3515041003", "phone": ""}
BOOKED_NIK = "3515041203070003"
# The web form's field for each field the domain names (the API's body names them the same).
WEB_FIELD = {"desa_code": "desa"}

BAD_INPUT = {
    "short NIK": {"nik": "351504120307000"},
    "letters in the NIK": {"nik": "35150412O3070003"},
    "no such province": {"nik": "9915041203070003"},
    "serial 0000": {"nik": "3515041203070000"},
    "too young": {"nik": "3515041203140003"},
    "no name": {"name": "   "},
    "a bidi override in the name": {"name": "Siti \u202eanimA"},
    "not a phone number": {"phone": "12345"},
    "a desa of another kecamatan": {"desa": "7371091001"},
    "several at once": {"nik": "12", "name": "", "phone": "0000"},
}


@pytest.fixture
def slot(client):
    """A slot with places, the day after tomorrow or later (not a walk-in for the officer)."""
    start = (date.today() + timedelta(days=2)).isoformat()
    week = client.get(f"/api/v1/offices/351504/slots?from={start}").json
    return next(s for s in week if s["remaining"] > 0)


def _domain(app, session, typed: dict) -> tuple[dict, dict, str | None]:
    """What the domain itself says: ({field: code}, {field: words}, conflict code)."""
    with app.test_request_context():
        try:
            bookings.validate_applicant(
                session, office=get_office(session, "351504"), service="pemula",
                nik=typed["nik"], name=typed["name"], key=app.config["DATA_KEY"].encode(),
                desa=typed["desa"], phone=typed["phone"], channel="officer")
        except ValidationError as error:
            return error.errors, messages.field_messages(error), None
        except bookings.BookingError as error:
            return {}, {}, error.code
    return {}, {}, None


def _web(client, page, slot, typed: dict):
    """The details step of the booking pages: {field: words shown}, or the status."""
    client.delete_cookie("booking_draft")
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    client.post("/booking/hari", data={"day": slot["start"][:10]})
    client.post("/booking/jam", data={"slot": str(slot["id"])})
    answer = client.post("/booking/data", data=typed)
    if answer.status_code != 422:
        return answer.status_code
    shown = page(client, "/booking/data", method="POST", status=422, data=typed)
    return {field: shown.select_one(f"#{WEB_FIELD.get(field, field)}-error").get_text()
            .split(":", 1)[1].strip() for field in ("nik", "name", "phone", "desa_code")
            if shown.select_one(f"#{WEB_FIELD.get(field, field)}-error")}


def _api(client, api_token, slot, typed: dict):
    body = {"nik": typed["nik"], "name": typed["name"], "desa_code": typed["desa"],
            "phone": typed["phone"] or None, "service": "pemula", "slot_id": slot["id"]}
    answer = client.post("/api/v1/bookings", json=body,
                         headers={**api_token("officer"), "Accept-Language": "id"})
    return answer.status_code, answer.json


def _cli(runner, slot, typed: dict):
    args = ["book", "--office", "351504", "--slot", str(slot["id"]), "--service", "pemula",
            "--name", typed["name"], "--desa", typed["desa"]]
    if typed["phone"]:
        args += ["--phone", typed["phone"]]
    return runner.invoke(args=args, input=typed["nik"] + "\n")


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_the_page_the_api_and_the_cli_refuse_the_same_input_with_the_same_codes(
        app, client, page, runner, session, api_token, slot, case):
    typed = {**GOOD, **BAD_INPUT[case]}
    codes, words, conflict = _domain(app, session, typed)
    assert codes and conflict is None
    assert _web(client, page, slot, typed) == words
    status, body = _api(client, api_token, slot, typed)
    assert (status, body["error"], body["errors"]) == (422, "invalid", words)
    result = _cli(runner, slot, typed)
    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == sorted(
        f"error {field} [{code}]: {words[field]}" for field, code in codes.items())
    session.expire_all()
    assert session.get(Slot, slot["id"]).booked == 0  # nothing was taken by any face


def test_already_booked_is_the_same_refusal_on_every_face(app, client, page, runner, session,
                                                          api_token, slot):
    book(session, slot_at(session, "351504", tuesday(), time(9)), BOOKED_NIK)
    session.commit()
    typed = {**GOOD, "nik": BOOKED_NIK}
    assert _domain(app, session, typed) == ({}, {}, "already_booked")
    with app.test_request_context():
        words = messages.conflict_message("already_booked")
    assert _web(client, page, slot, typed) == {"nik": words}
    status, body = _api(client, api_token, slot, typed)
    assert (status, body["error"], body["message"]) == (409, "already_booked", words)
    result = _cli(runner, slot, typed)
    assert (result.exit_code, result.stderr.strip()) == (1, f"error already_booked: {words}")


def test_a_full_slot_is_the_same_refusal_on_every_face(app, client, page, runner, session,
                                                       api_token, slot):
    _web(client, page, slot, GOOD)  # the page reached the review before the slot filled
    session.execute(update(Slot).where(Slot.id == slot["id"]).values(
        booked=Slot.capacity, booked_priority=Slot.held_back))
    session.commit()
    taken = page(client, "/booking/periksa", method="POST", status=409)
    assert "baru saja habis" in taken.text  # the page's words for slot_full: other times
    status, body = _api(client, api_token, slot, {**GOOD, "nik": "3515041203070003"})
    with app.test_request_context():
        words = messages.conflict_message("slot_full")
    assert (status, body["error"], body["message"]) == (409, "slot_full", words)
    result = _cli(runner, slot, {**GOOD, "nik": "3515041203070003"})
    assert (result.exit_code, result.stderr.strip()) == (1, f"error slot_full: {words}")


def test_flask_book_books_with_the_nik_from_stdin_only(app, runner, session, slot):
    result = _cli(runner, slot, GOOD)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("booked ") and "/v/" in result.output
    assert GOOD["nik"] not in result.output
    with pytest.raises(Exception):  # noqa: B017  (click refuses an unknown option)
        runner.invoke(args=["book", "--nik", GOOD["nik"]], catch_exceptions=False,
                      standalone_mode=False)
    session.expire_all()
    assert session.get(Slot, slot["id"]).booked == 1
