"""Inputs that used to reach a 500 (issue 9.7): each gets a 4xx in the caller's language, and the
verify routes keep their contract (200 `invalid`). Marked `db`: CI runs them on PostgreSQL,
which refuses NUL in text and has 32-bit ids.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from sqlmodel import select

from app.domain.names import NameError, clean_name
from app.models import Booking, HomeVisitRequest
from tests.test_booking_api import _book, _first_slot
from tests.test_booking_web import _to_details, book_through_the_pages
from tests.test_guidance_reports import _visit_data

pytestmark = pytest.mark.db

NUL_WORDS = {"id": "tidak bisa dibaca (NUL)", "en": "(NUL)"}


# --- NUL ----------------------------------------------------------------------------------------


def test_a_nul_in_a_verify_token_is_simply_not_genuine(client, page, api_token):
    done = book_through_the_pages(client, page)
    token = done.select_one('a[href$="/document?unduh=1"]')["href"].split("/")[2]
    for mangled in (token + "%00", token[:20] + "%00" + token[20:], "%00"):
        shown = page(client, f"/v/{mangled}")
        assert "tidak asli" in shown.text.lower() or "tidak dikenali" in shown.text.lower()
        answer = client.get(f"/api/v1/verify/{mangled}")
        assert answer.status_code == 200
        assert answer.json["genuine"] is False and answer.json["status"] == "invalid"
        assert client.get(f"/v/{mangled}/document").status_code == 404


@pytest.mark.parametrize("lang, words", [("id", "tidak bisa dibaca"), ("en", "cannot be read")])
def test_a_nul_in_a_login_name_is_refused_in_the_persons_language(client, page, lang, words):
    shown = page(client, f"/login?lang={lang}", method="POST", status=422,
                 data={"username": "admin\x00", "password": "x"})
    assert words in shown.select_one(".error-summary").get_text()


def test_a_nul_in_a_booking_name_is_refused_on_the_web(client, page, session):
    _to_details(client, page)
    shown = page(client, "/booking/data", method="POST", status=422,
                 data={"nik": "3515045203070003", "name": "Siti\x00Aminah",
                       "desa": "3515041003"})
    assert "tidak bisa dibaca" in shown.select_one(".error-summary").get_text()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_nul_in_a_booking_name_is_refused_by_the_api(client, api_token, session, lang):
    slot = _first_slot(client)
    answer = client.post("/api/v1/bookings", headers={**api_token("kiosk"),
                                                      "Accept-Language": lang},
                         json={"nik": "3515045203070003", "name": "Siti\u0000", "service":
                               "pemula", "slot_id": slot["id"]})
    assert answer.status_code == 400 and answer.json["error"] == "bad_request"
    assert NUL_WORDS[lang] in answer.json["message"]
    assert session.exec(select(Booking)).all() == []


@pytest.mark.parametrize("url", [
    "/booking/K7Q2M9X%00", "/lapor/terkirim?nomor=LPR-%00", "/kunjungan-rumah/terkirim?nomor=%00",
    "/api/v1/bookings/K7Q2M9X%00", "/api/v1/offices/3515%00/slots", "/syarat/pemula?have=%00",
    "/booking?service=%00", "/api/v1/offices/351504/slots?service=pemula%00",
])
def test_a_nul_anywhere_else_is_a_400_not_a_500(client, api_token, url):
    answer = client.get(url, headers=api_token("officer"))
    assert answer.status_code == 400


def test_a_nul_in_other_form_fields_is_refused_with_the_form_shown_again(client, page):
    form = page(client, "/kunjungan-rumah")
    page(client, "/kunjungan-rumah", method="POST", status=422,
         data=_visit_data(form, details="a\x00b"))
    page(client, "/booking/kelola", method="POST", status=422,
         data={"code": "K7Q2M9XH", "nik": "3515045203070003\x00"})
    page(client, "/booking/kelola", method="POST", status=422,
         data={"code": "K7Q2M9X\x00", "nik": "3515045203070003"})


# --- dates, ids and depth -------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-01-01"])
def test_a_day_outside_the_calendar_we_serve_is_a_422_with_a_message(client, day):
    for params in (f"from={day}", f"from=2026-12-01&to={day}"):
        answer = client.get(f"/api/v1/offices/351504/slots?{params}",
                            headers={"Accept-Language": "en"})
        assert answer.status_code == 422, answer.json
        assert answer.json["errors"] and "2000-01-01" in json.dumps(answer.json["errors"])


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_booking_day_pages_with_a_day_far_away_do_not_fail(client, page, day):
    _to_details(client, page)
    for url in (f"/booking/jam?day={day}", f"/booking/hari?from={day}",
                f"/booking/jam?from={day}"):
        assert client.get(url).status_code < 500


@pytest.mark.parametrize("slot_id", [2**31, 2**63, 2**64, -(2**63) - 1])
def test_a_slot_id_beyond_any_row_is_a_422(client, api_token, slot_id):
    answer = _book(client, api_token("kiosk"), slot_id)
    assert answer.status_code == 422 and "slot_id" in answer.json["errors"]


def test_a_slot_id_beyond_any_row_in_a_web_form_or_address_is_not_a_500(client, page):
    done = book_through_the_pages(client, page)
    code = done.select_one(".booking-code-value").get_text(strip=True).replace("-", "")
    client.post("/booking/kelola", data={"code": code, "nik": "3515045203070003"})
    for slot_id in (2**31, 2**63, 2**64):
        assert client.get(f"/booking/{code}/ubah/{slot_id}").status_code == 404
        assert client.post(f"/booking/{code}/ubah/{slot_id}").status_code in (404, 405)
    _to_details(client, page)  # a new draft: the time step with a huge slot number
    page(client, "/booking/jam", method="POST", status=422, data={"slot": str(2**63)})


def test_json_nested_5000_deep_is_a_422_in_the_callers_language(client, api_token):
    body = "[" * 5000 + "]" * 5000
    for lang, words in (("id", "objek JSON"), ("en", "JSON object")):
        answer = client.post("/api/v1/bookings", data=body, content_type="application/json",
                             headers={**api_token("kiosk"), "Accept-Language": lang})
        assert answer.status_code == 422 and words in answer.json["message"]
    nested = '{"nik": "1", "needs": ' + "[" * 900 + "]" * 900 + "}"  # parses; still refused
    answer = client.post("/api/v1/bookings", data=nested, content_type="application/json",
                         headers=api_token("kiosk"))
    assert answer.status_code == 422


# --- names ----------------------------------------------------------------------------------------

COMBINING_STACK = "Siti" + "\u0332" * 5  # combining low line: nothing precomposed
HOSTILE_NAMES = {
    "control": "Siti\x1b[31mAminah",
    "bidi": "Siti\u202eanimA",
    "isolate": "Siti\u2066Aminah\u2069",
    "combining": COMBINING_STACK,
}


@pytest.mark.parametrize("raw, code", [
    (HOSTILE_NAMES["control"], "control"), (HOSTILE_NAMES["bidi"], "bidi"),
    (HOSTILE_NAMES["isolate"], "bidi"), (COMBINING_STACK, "combining"), ("\ufffd", "control"),
    ("   ", "empty"), ("12345", "letters"), ("a" * 121, "length")])
def test_the_name_rule_says_what_is_wrong(raw, code):
    with pytest.raises(NameError) as refused:
        clean_name(raw)
    assert refused.value.code == code


def test_names_are_nfc_and_keep_real_accents_and_scripts():
    decomposed = "Jose\u0301  Nguye\u0302\u0303n"
    assert clean_name(decomposed) == unicodedata.normalize("NFC", "José Nguyễn")
    assert clean_name("Ngurah\tRai") == "Ngurah Rai"
    assert clean_name("ꦱꦶꦠꦶ") == "ꦱꦶꦠꦶ"  # Javanese script
    assert clean_name("A" + "\u0301" * 4) == unicodedata.normalize("NFC", "A" + "\u0301" * 4)


@pytest.mark.parametrize("kind", sorted(HOSTILE_NAMES))
def test_a_hostile_name_is_refused_with_a_clear_message_on_the_web(client, page, kind):
    _to_details(client, page)
    shown = page(client, "/booking/data", method="POST", status=422,
                 data={"nik": "3515045203070003", "name": HOSTILE_NAMES[kind],
                       "desa": "3515041003"})
    summary = shown.select_one(".error-summary").get_text()
    assert ("tidak bisa dibaca" in summary or "pembalik arah" in summary
            or "terlalu banyak tanda" in summary)


@pytest.mark.parametrize("kind", sorted(HOSTILE_NAMES))
def test_a_hostile_name_is_refused_with_a_clear_message_by_the_api(client, api_token, kind):
    slot = _first_slot(client)
    answer = _book(client, api_token("kiosk"), slot["id"], name=HOSTILE_NAMES[kind])
    assert answer.status_code == 422
    assert answer.json["errors"]["name"] != answer.json["message"]
    assert "Kartu Keluarga" in answer.json["errors"]["name"] or \
        "tidak bisa dibaca" in answer.json["errors"]["name"]


@pytest.mark.parametrize("kind", ["bidi", "combining"])
def test_a_hostile_name_is_refused_in_a_home_visit_request(client, page, session, kind):
    form = page(client, "/kunjungan-rumah")
    page(client, "/kunjungan-rumah", method="POST", status=422,
         data=_visit_data(form, name=HOSTILE_NAMES[kind]))
    assert session.exec(select(HomeVisitRequest)).all() == []


def test_a_login_name_with_a_bidi_override_is_refused(client, page):
    shown = page(client, "/login", method="POST", status=422,
                 data={"username": "admin\u202e", "password": "x"})
    assert "pembalik arah" in shown.text


def test_a_name_booked_decomposed_is_stored_composed(client, api_token, session):
    slot = _first_slot(client)
    answer = _book(client, api_token("kiosk"), slot["id"], name="Jose\u0301 Aminah")
    assert answer.status_code == 201, answer.json
    stored = session.exec(select(Booking).where(Booking.code == answer.json["code"])).one()
    assert stored.name == "Jos\u00e9 Aminah"
