"""The booking API as integrators use it (DESIGN §6): slots, book, look up, cancel."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from app.domain import booking as bookings
from app.models import AuditEntry, Booking, OutboxMessage, Receipt, Slot
from tests.support.booking import elderly_nik, nik

pytestmark = pytest.mark.db

WOMAN = "3515045203070003"  # day + 40: born 12-03-2007


def _slots(client, office="351504", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    answer = client.get(f"/api/v1/offices/{office}/slots?{query}")
    assert answer.status_code == 200, answer.json
    return answer.json


def _first_slot(client, office="351504", **params):
    """The first slot with an open place from the day after tomorrow: today's slots would let
    kiosks and officers in as walk-ins, which these tests do not mean."""
    params.setdefault("from", (date.today() + timedelta(days=2)).isoformat())
    week = _slots(client, office, **params)
    return next(s for s in week if s["remaining"] > 0)


def _book(client, headers, slot_id, number=WOMAN, **extra):
    body = {"nik": number, "name": "Siti Aminah", "desa_code": "3515041003",
            "service": "pemula", "slot_id": slot_id, **extra}
    return client.post("/api/v1/bookings", json=body, headers=headers)


def test_slots_of_porong_list_places_with_the_office_offset(client):
    week = _slots(client)
    assert week, "the next seven days have free places"
    first = week[0]
    assert set(first) == {"id", "start", "end", "pool", "capacity", "remaining",
                          "remaining_priority"}
    assert first["start"].endswith("+07:00") and first["pool"] == "station"
    assert first["capacity"] == 6 and first["remaining"] + first["remaining_priority"] <= 6


def test_wita_slots_carry_plus_eight(client):
    week = _slots(client, "737109")
    assert week and all(s["start"].endswith("+08:00") for s in week)
    assert {s["capacity"] for s in week} == {3}


def test_counter_services_list_the_counter_pool(client):
    week = _slots(client, service="hilang")
    assert week and {s["pool"] for s in week} == {"counter"} and week[0]["capacity"] == 4


def test_slots_of_an_unknown_office_are_a_404_in_json(client):
    answer = client.get("/api/v1/offices/999999/slots")
    assert answer.status_code == 404 and answer.json["error"] == "not_found"


@pytest.mark.parametrize("query,field", [("from=2026-13-01", "from"), ("to=tomorrow", "to"),
                                         ("from=2026-12-10&to=2026-12-01", "to"),
                                         ("from=20261201", "from"), ("service=ktp", "service")])
def test_bad_dates_or_service_are_a_422(client, query, field):
    answer = client.get(f"/api/v1/offices/351504/slots?{query}")
    assert answer.status_code == 422 and field in answer.json["errors"]


def test_a_kiosk_books_a_woman_and_gets_the_receipt_addresses(client, api_token, session):
    slot = _first_slot(client)
    answer = _book(client, api_token("kiosk"), slot["id"])
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert len(body["code"]) == 8 and body["status"] == "booked"
    assert body["slot"] == {"id": slot["id"], "start": slot["start"], "end": slot["end"],
                            "pool": "station"}
    token = body["verify_url"].removeprefix("http://rekam.test/v/")
    assert body["receipt_url"] == f"http://rekam.test/v/{token}/document"
    assert body["nik_masked"].endswith("0003") and WOMAN not in str(body)
    stored = session.exec(select(Booking).where(Booking.code == body["code"])).one()
    # What the rules decided from the NIK, never its birth date or sex (DESIGN §9).
    assert stored.age_band == "17-20" and not hasattr(stored, "birth_date")
    assert stored.channel == "kiosk" and stored.created_by.startswith("token:")
    # The request signed a token but rendered no PDF (DESIGN §4: first download or a job).
    receipt = session.exec(select(Receipt).where(Receipt.booking_id == stored.id)).one()
    assert receipt.token == token
    assert all(getattr(receipt, name, None) is None for name in ("pdf", "sha256", "pdf_sha256"))
    after = next(s for s in _slots(client) if s["id"] == slot["id"])
    assert after["remaining"] + after["remaining_priority"] == \
        slot["remaining"] + slot["remaining_priority"] - 1


def test_the_last_place_goes_once_then_slot_full(client, api_token, session):
    slot = _first_slot(client)
    headers = api_token("officer")
    codes = [_book(client, headers, slot["id"], nik(i + 1)).status_code for i in range(4)]
    assert codes == [201] * 4  # the open share: 6 places, 2 held back
    refused = _book(client, headers, slot["id"], nik(5))
    assert refused.status_code == 409 and refused.json["error"] == "slot_full"
    elderly = _book(client, headers, slot["id"], elderly_nik(6))  # the held-back share
    assert elderly.status_code == 201
    assert bookings.counter_drift(session) == []


def test_one_nik_one_active_booking(client, api_token):
    first = _first_slot(client)
    second = next(s for s in _slots(client, **{"from": first["start"][:10]})
                  if s["id"] != first["id"])
    headers = api_token("kiosk")
    assert _book(client, headers, first["id"]).status_code == 201
    again = _book(client, headers, second["id"])
    assert again.status_code == 409 and again.json["error"] == "already_booked"


@pytest.mark.parametrize("bad", ["351504120307000", "35150412030700031", "35150412O3070003",
                                 "3515041213070003", "3515043203070003", "3515047203070003",
                                 "3515041203070000", "9915041203070003"])
def test_bad_niks_are_refused_in_the_callers_language_and_nothing_is_written(
        client, api_token, session, bad):
    slot = _first_slot(client)
    headers = api_token("kiosk")
    before = session.exec(select(func.count()).select_from(Booking)).one()
    messages = {}
    for lang in ("id", "en"):
        answer = _book(client, {**headers, "Accept-Language": lang}, slot["id"], bad)
        assert answer.status_code == 422 and answer.json["error"] == "invalid"
        messages[lang] = answer.json["errors"]["nik"]
    assert "NIK" in messages["id"] and "NIK" in messages["en"]
    assert messages["id"] != messages["en"] and "Periksa" not in messages["en"]
    assert session.exec(select(func.count()).select_from(Booking)).one() == before
    session.expire_all()
    assert session.get(Slot, slot["id"]).booked == 0


def test_every_bad_field_is_named_at_once(client, api_token):
    slot = _first_slot(client)
    answer = _book(client, {**api_token("kiosk"), "Accept-Language": "en"}, slot["id"], "1",
                   name="  ", phone="12345", needs=["flying"], desa_code="7371090001")
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"nik", "name", "phone", "needs", "desa_code"}
    assert answer.json["errors"]["phone"].startswith("Write an Indonesian mobile number")


def test_phone_is_kept_as_plus_62_and_a_one_word_name_is_fine(client, api_token, session):
    slot = _first_slot(client)
    answer = _book(client, api_token("kiosk"), slot["id"], name="Sukarni",
                   phone="0812-3456 7890", needs=["wheelchair", "companion"])
    assert answer.status_code == 201, answer.json
    stored = session.exec(select(Booking).where(Booking.code == answer.json["code"])).one()
    assert stored.phone == "+6281234567890" and stored.name == "Sukarni"
    assert stored.priority and answer.json["needs"] == ["wheelchair", "companion"]


def test_desa_staff_book_only_for_their_own_desa(client, api_token, session):
    slot = _first_slot(client)
    headers = api_token("desa_staff", desa="3515041003")
    other = _book(client, headers, slot["id"], desa_code="3515041004")
    assert other.status_code == 403
    outside = _book(client, headers, slot["id"], desa_code=None)
    assert outside.status_code == 403
    own = _book(client, headers, slot["id"], consent="present")
    assert own.status_code == 201
    stored = session.exec(select(Booking).where(Booking.code == own.json["code"])).one()
    assert stored.channel == "desa_staff" and stored.consent == "present"


def test_desa_staff_booking_without_consent_is_refused(client, api_token, session):
    slot = _first_slot(client)
    headers = api_token("desa_staff", desa="3515041003")
    refused = _book(client, headers, slot["id"])
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"consent"}
    both = _book(client, headers, slot["id"], name="")  # every mistake in one answer
    assert both.status_code == 422 and {"consent", "name"} <= set(both.json["errors"])
    english = client.post("/api/v1/bookings", headers={**headers, "Accept-Language": "en"},
                          json={"nik": WOMAN, "name": "Siti", "desa_code": "3515041003",
                                "service": "pemula", "slot_id": slot["id"]})
    assert english.status_code == 422 and "consent" in english.json["errors"]
    assert session.exec(select(func.count()).select_from(Booking)
                        .where(Booking.channel == "desa_staff")).one() == 0


def test_a_kiosk_of_another_office_may_not_book_here(client, api_token):
    slot = _first_slot(client)
    answer = _book(client, api_token("kiosk", office="737109"), slot["id"])
    assert answer.status_code == 403 and answer.json["error"] == "forbidden"


def test_capture_agents_and_strangers_may_not_book(client, api_token):
    slot = _first_slot(client)
    assert _book(client, {}, slot["id"]).status_code == 401
    assert _book(client, api_token("capture_agent"), slot["id"]).status_code == 403


def test_look_up_and_cancel_free_the_place_again(client, api_token, session):
    slot = _first_slot(client)
    headers = api_token("officer")
    code = _book(client, headers, slot["id"]).json["code"]
    shown = client.get(f"/api/v1/bookings/{code[:4].lower()}-{code[4:].lower()}",
                       headers=headers)
    assert shown.status_code == 200 and shown.json["code"] == code
    cancelled = client.post(f"/api/v1/bookings/{code}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    again = client.post(f"/api/v1/bookings/{code}/cancel", headers=headers)
    assert again.status_code == 409 and again.json["error"] == "not_cancellable"
    session.expire_all()
    assert session.get(Slot, slot["id"]).booked == 0
    assert bookings.counter_drift(session) == []
    actions = session.exec(select(AuditEntry.action).where(
        AuditEntry.subject == f"booking:{code}")).all()
    assert actions == ["booking.create", "booking.cancel"]
    assert client.get("/api/v1/bookings/ZZZZZZZZ", headers=headers).status_code == 404


def test_desa_staff_see_only_their_desas_bookings(client, api_token):
    slot = _first_slot(client)
    code = _book(client, api_token("kiosk"), slot["id"], desa_code="3515041004").json["code"]
    assert client.get(f"/api/v1/bookings/{code}",
                      headers=api_token("desa_staff", desa="3515041003")).status_code == 403


def test_a_person_who_cannot_leave_home_is_pointed_to_a_home_visit(client, api_token):
    slot = _first_slot(client)
    answer = _book(client, api_token("kiosk"), slot["id"], needs=["cannot_leave_home"])
    assert answer.status_code == 422 and "needs" in answer.json["errors"]


@pytest.mark.app_config(RATE_LIMITS="on", BOOKING_API_RATE="5 per minute")
def test_each_token_is_rate_limited(client, api_token):
    headers = api_token("kiosk")
    for _ in range(5):
        assert client.get("/api/v1/bookings/ZZZZZZZZ", headers=headers).status_code == 404
    limited = client.post("/api/v1/bookings", json={}, headers=headers)
    assert limited.status_code == 429 and limited.json["error"]
    # Another token is counted on its own.
    assert client.get("/api/v1/bookings/ZZZZZZZZ",
                      headers=api_token("officer")).status_code == 404


def test_the_api_limit_is_generous_by_default():
    from app.api import bookings as api_bookings

    assert api_bookings.API_RATE == "300 per minute"


def test_no_outbox_message_for_an_ordinary_booking(client, api_token, session):
    slot = _first_slot(client)
    assert _book(client, api_token("kiosk"), slot["id"]).status_code == 201
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 0


def test_the_next_days_are_materialised_once(client, session):
    _slots(client)
    count = session.exec(select(func.count()).select_from(Slot)).one()
    _slots(client, **{"from": (date.today() + timedelta(days=3)).isoformat()})
    assert session.exec(select(func.count()).select_from(Slot)).one() == count
