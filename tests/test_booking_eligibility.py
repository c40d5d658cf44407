"""A first recording is for people of 17 or older, or married (UU 24/2013 art. 63): booking it
before then is refused kindly, with the day from which it is possible."""

from datetime import date, time, timedelta

import pytest

from app.domain import booking as bookings
from app.domain.nik import today_in
from app.models import utcnow
from tests.support.booking import applicant, office, slot_at
from tests.test_booking_web import _to_details


def nik_of_someone_aged(years: int) -> tuple[str, date]:
    """A man's NIK from Porong whose 17th birthday is a fixed distance from today."""
    today = today_in("Asia/Jakarta")
    born = today.replace(year=today.year - years) - timedelta(days=3)
    if born.month == 2 and born.day == 29:
        born -= timedelta(days=1)
    return f"351504{born:%d%m%y}0042", born


def a_bookable_slot(session):
    today = today_in("Asia/Jakarta")
    day = today + timedelta(days=7 + (1 - today.weekday()) % 7)  # a Tuesday next week
    return slot_at(session, "351504", day, time(9), now=utcnow())


def test_a_16_year_old_who_never_married_is_told_when_they_may_record(session):
    number, born = nik_of_someone_aged(16)
    slot = a_bookable_slot(session)
    with pytest.raises(bookings.NotEligible) as refused:
        bookings.create_booking(session, office=office(session), slot_id=slot.id,
                                service="pemula",
                                applicant=applicant(number, today=today_in("Asia/Jakarta")),
                                channel="web",
                                actor="citizen", now=utcnow())
    assert refused.value.eligible_from == born.replace(year=born.year + 17)
    assert session.get(type(slot), slot.id).booked == 0  # nothing half-written


def test_a_married_16_year_old_may_record(session):
    number, _born = nik_of_someone_aged(16)
    slot = a_bookable_slot(session)
    young = applicant(number, ever_married=True, today=today_in("Asia/Jakarta"))
    booking = bookings.create_booking(session, office=office(session), slot_id=slot.id,
                                      service="pemula", applicant=young, channel="web",
                                      actor="citizen", now=utcnow())
    assert booking.status == "booked"


def test_the_api_refuses_an_underage_first_recording_with_the_date_in_english(
        client, session, api_token):
    number, born = nik_of_someone_aged(16)
    slot = a_bookable_slot(session)
    session.commit()
    headers = {**api_token("admin", office=None), "Accept-Language": "en"}
    body = {"nik": number, "name": "Adi", "service": "pemula", "slot_id": slot.id}
    refused = client.post("/api/v1/bookings", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json["errors"]["nik"].startswith("The first e-KTP recording is possible from")
    assert str(born.year + 17) in refused.json["errors"]["nik"]
    married = client.post("/api/v1/bookings", json={**body, "ever_married": True},
                          headers=headers)
    assert married.status_code == 201


def test_the_booking_form_asks_about_marriage_only_for_a_first_recording(client, page):
    _to_details(client, page)
    details = page(client, "/booking/data")
    assert details.soup.find(id="married") is not None
    number, born = nik_of_someone_aged(15)
    refused = page(client, "/booking/data", method="POST", status=422,
                   data={"nik": number, "name": "Adi", "desa": "luar"})
    assert "baru bisa mulai" in refused.text and str(born.year + 17) in refused.text
    assert refused.select_one(".error-summary a")["href"] == "#nik"
    accepted = client.post("/booking/data", data={"nik": number, "name": "Adi", "desa": "luar",
                                                  "married": "y"})
    assert accepted.status_code == 303


def test_a_reprint_does_not_ask_about_marriage(client, page):
    page(client, "/booking")
    client.post("/booking", data={"service": "rusak"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    day = days.select_one("input[name=day]:not([disabled])")["value"]
    client.post("/booking/hari", data={"day": day})
    times = page(client, "/booking/jam")
    client.post("/booking/jam", data={"slot": times.select_one("input[name=slot]")["value"]})
    assert page(client, "/booking/data").soup.find(id="married") is None


def test_a_16_year_old_who_switches_from_a_reprint_to_a_first_recording_types_the_nik_again(
        client, page):
    """The draft keeps only "may record: no", never the birth date: switching to a first
    recording drops what the NIK gave, and typing it again says from which day."""
    page(client, "/booking")
    client.post("/booking", data={"service": "rusak"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": days.select_one("input[name=day]:not([disabled])")["value"]})
    times = page(client, "/booking/jam")
    client.post("/booking/jam", data={"slot": times.select_one("input[name=slot]")["value"]})
    number, born = nik_of_someone_aged(16)
    saved = client.post("/booking/data", data={"nik": number, "name": "Adi", "desa": "luar"})
    assert saved.headers["Location"] == "/booking/periksa"
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": days.select_one("input[name=day]:not([disabled])")["value"]})
    times = page(client, "/booking/jam")
    moved_on = client.post("/booking/jam",
                           data={"slot": times.select_one("input[name=slot]")["value"]})
    assert moved_on.headers["Location"] == "/booking/data"  # not the review: NIK again
    refused = page(client, "/booking/data", method="POST", status=422,
                   data={"nik": number, "name": "Adi", "desa": "luar"})
    assert str(born.year + 17) in refused.text
