"""Idempotency-Key on the API's creating POSTs (issue 9 §8, IETF httpapi idempotency-key draft):
a client that lost the answer asks again and learns what it booked, instead of a second booking
or a 409 without the code."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from app.domain import idempotency
from app.models import ApiToken, Booking, IdempotencyRecord, utcnow
from tests.support.receipt_bookings import make_booking, today_at

pytestmark = pytest.mark.db

NIK = "3515045203070003"
DATA_KEY = b"test-data-key"


def _slot_id(client) -> int:
    start = (date.today() + timedelta(days=2)).isoformat()
    week = client.get(f"/api/v1/offices/351504/slots?from={start}").json
    return next(s for s in week if s["remaining"] > 0)["id"]


def _body(slot_id, **extra):
    return {"nik": NIK, "name": "Siti Aminah", "desa_code": "3515041003", "service": "pemula",
            "slot_id": slot_id, **extra}


def _post(client, headers, body, key):
    return client.post("/api/v1/bookings", json=body,
                       headers={**headers, "Idempotency-Key": key})


def _bookings_of(session, name="Siti Aminah") -> int:
    return session.exec(select(func.count()).select_from(Booking)
                        .where(Booking.name == name)).one()


def test_the_same_key_and_body_twice_answers_the_first_booking_again(client, api_token, session):
    headers, body = api_token("kiosk"), _body(_slot_id(client))
    first = _post(client, headers, body, "7c1a6c1e-0f7e-4b0c-9d1e-2a7f3b6c5d40")
    assert first.status_code == 201, first.json
    again = _post(client, headers, body, '"7c1a6c1e-0f7e-4b0c-9d1e-2a7f3b6c5d40"')  # sf-string
    assert again.status_code == 201
    assert again.get_data() == first.get_data()  # byte-identical, code included
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _bookings_of(session) == 1
    without_key = client.post("/api/v1/bookings", json=body, headers=headers)
    assert (without_key.status_code, without_key.json["error"]) == (409, "already_booked")


def test_the_same_key_with_another_body_is_a_422(client, api_token, session):
    headers, slot_id = api_token("kiosk"), _slot_id(client)
    assert _post(client, headers, _body(slot_id), "key-1").status_code == 201
    other = _post(client, headers, _body(slot_id, name="Siti Aminah Binti Umar"), "key-1")
    assert (other.status_code, other.json["error"]) == (422, "idempotency_key_reused")
    assert "Idempotency-Key" in other.json["errors"]
    assert _bookings_of(session) == 1


def test_a_key_still_in_flight_is_a_409_and_a_lapsed_one_is_taken_over(client, api_token,
                                                                        session):
    headers, body = api_token("kiosk"), _body(_slot_id(client))
    fingerprint = idempotency.request_fingerprint(DATA_KEY, "POST", "/api/v1/bookings",
                                                  json.dumps(body).encode())
    token = session.exec(select(ApiToken).order_by(ApiToken.id.desc())).first()
    held = idempotency.claim(session, token.id, "busy", fingerprint)
    assert isinstance(held, idempotency.Claimed)
    busy = _post(client, headers, body, "busy")
    assert (busy.status_code, busy.json["error"]) == (409, "idempotency_key_in_use")
    assert _bookings_of(session) == 0
    # The request that held it died: after the lease its key serves a retry.
    record = session.get(IdempotencyRecord, held.record_id)
    record.locked_until = utcnow() - timedelta(seconds=1)
    session.add(record)
    session.commit()
    retried = _post(client, headers, body, "busy")
    assert retried.status_code == 201, retried.json
    assert _bookings_of(session) == 1


def test_keys_are_scoped_to_the_api_token(client, api_token, session):
    body = _body(_slot_id(client))
    assert _post(client, api_token("kiosk"), body, "shared").status_code == 201
    other = _post(client, api_token("kiosk"), body, "shared")  # another kiosk, same key
    assert (other.status_code, other.json["error"]) == (409, "already_booked")  # judged afresh
    assert "Idempotent-Replayed" not in other.headers


def test_the_record_keeps_keyed_hashes_and_no_nik(client, api_token, session):
    body = _body(_slot_id(client))
    answer = _post(client, api_token("kiosk"), body, "privacy-key")
    record = session.exec(select(IdempotencyRecord)).one()
    assert record.state == "done" and record.response_status == 201
    assert record.response_body == answer.get_data(as_text=True)
    stored = " ".join(str(v) for v in record.model_dump().values())
    assert NIK not in stored and "privacy-key" not in stored
    assert record.expires_at - record.created_at == timedelta(hours=24)
    assert idempotency.purge_expired(session, record.expires_at - timedelta(seconds=1)) == 0
    assert idempotency.purge_expired(session, record.expires_at) == 1


def test_an_answer_holding_a_nik_is_never_stored(session):
    with pytest.raises(ValueError):
        idempotency.complete(session, idempotency.Claimed(1), 201, f'{{"nik":"{NIK}"}}')


def test_a_malformed_key_is_a_400(client, api_token):
    answer = _post(client, api_token("kiosk"), _body(_slot_id(client)), "has space")
    assert (answer.status_code, answer.json["error"]) == (400, "invalid_idempotency_key")


def _fail_receipt_inserts(session):
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("CREATE TRIGGER fail_receipt BEFORE INSERT ON receipt "
                             "BEGIN SELECT RAISE(ABORT, 'write failed'); END"))
    else:
        session.execute(text("CREATE FUNCTION fail_receipt() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$ BEGIN RAISE EXCEPTION 'write failed'; END $$"))
        session.execute(text("CREATE TRIGGER fail_receipt BEFORE INSERT ON receipt "
                             "FOR EACH ROW EXECUTE FUNCTION fail_receipt()"))
    session.commit()


def _allow_receipt_inserts(session):
    session.execute(text("DROP TRIGGER fail_receipt" if session.get_bind().dialect.name ==
                         "sqlite" else "DROP TRIGGER fail_receipt ON receipt"))
    session.commit()


def test_the_answer_commits_with_the_booking_or_not_at_all(client, api_token, session):
    """A write that fails after the booking row (here: its receipt) leaves neither the booking
    nor a kept answer; the retry with the same key books once."""
    headers, body = api_token("kiosk"), _body(_slot_id(client))
    _fail_receipt_inserts(session)
    try:
        failed = _post(client, headers, body, "atomic").status_code
    except Exception as error:  # noqa: BLE001  (propagated by the test app)
        failed = str(error)
    assert failed == 500 or "write failed" in failed
    assert _bookings_of(session) == 0
    assert session.exec(select(IdempotencyRecord)).all() == []  # freed for the retry
    _allow_receipt_inserts(session)
    retried = _post(client, headers, body, "atomic")
    assert retried.status_code == 201, retried.json
    assert _bookings_of(session) == 1
    record = session.exec(select(IdempotencyRecord)).one()
    assert record.state == "done" and json.loads(record.response_body)["code"] == \
        retried.json["code"]


def test_a_check_in_sent_twice_with_one_key_answers_the_first_check_in(client, api_token,
                                                                       session):
    booking = make_booking(session, starts_at=today_at(8), nik=NIK)
    session.commit()
    headers = {**api_token("kiosk"), "Idempotency-Key": "arrival-1"}
    first = client.post(f"/api/v1/bookings/{booking.code}/check-in", headers=headers,
                        json={"nik": NIK})
    assert first.status_code == 200, first.json
    again = client.post(f"/api/v1/bookings/{booking.code}/check-in", headers=headers,
                        json={"nik": NIK})
    assert (again.status_code, again.get_data()) == (200, first.get_data())


def test_openapi_documents_the_header_on_creating_posts(client):
    spec = client.get("/openapi.json").json
    for path in ("/api/v1/bookings", "/api/v1/bookings/{code}/check-in"):
        operation = spec["paths"][path]["post"]
        names = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert names == ["Idempotency-Key"]
        assert "idempotency_key_reused" in operation["responses"]["422"]["description"]
        assert "idempotency_key_in_use" in operation["responses"]["409"]["description"]
