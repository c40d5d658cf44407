"""A citizen books a place on /booking and manages it on /booking/{code} (no JavaScript needed)."""

import re
from datetime import time

import pytest
from sqlmodel import func, select

from app.domain import booking as bookings
from app.models import AuditEntry, Booking, Draft, Slot
from tests.support.booking import book, slot_at, tuesday

pytestmark = pytest.mark.db

WOMAN = "3515045203070003"
MAN = "3515041203070003"


def _redirect(response, to: str):
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    assert response.headers["Location"].split("?")[0] == to
    return response


def _radio_values(pg, name):
    return [i["value"] for i in pg.select(f'input[name="{name}"]')]


def book_through_the_pages(client, page, nik=WOMAN, service="pemula", **details):
    """Every step as a person does it; returns the confirmation page."""
    first = page(client, f"/booking?service={service}")
    assert first.select_one(f'input[name="service"][value="{service}"]').has_attr("checked")
    _redirect(client.post("/booking", data={"service": service}), "/booking/kantor")
    _redirect(client.post("/booking/kantor", data={"office": "351504"}), "/booking/hari")
    days = page(client, "/booking/hari")
    _redirect(client.post("/booking/hari", data={"day": _radio_values(days, "day")[0]}),
              "/booking/jam")
    times = page(client, "/booking/jam")
    _redirect(client.post("/booking/jam", data={"slot": _radio_values(times, "slot")[0]}),
              "/booking/data")
    page(client, "/booking/data")
    form = {"nik": nik, "name": "Siti Aminah", "desa": "3515041003", "phone": "0812 3456 7890",
            **details}
    _redirect(client.post("/booking/data", data=form), "/booking/periksa")
    review = page(client, "/booking/periksa")
    assert "Siti Aminah" in review.text and nik[-4:] in review.text and nik not in review.html
    _redirect(client.post("/booking/periksa"), "/booking/selesai")
    return page(client, "/booking/selesai")


def _code(done) -> str:
    return done.select_one(".booking-code-value").get_text(strip=True)


def test_a_woman_books_a_first_recording_step_by_step(client, page, session):
    done = book_through_the_pages(client, page)
    code = _code(done)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert done.h1 == "Jadwal Anda sudah dipesan"
    assert "Kartu Keluarga" in done.text and "gratis" in done.text.lower()
    assert any(link.endswith("/document?unduh=1") and link.startswith("/v/") for link in done.links())
    stored = session.exec(select(Booking).where(Booking.code == code.replace("-", ""))).one()
    assert (stored.age_band, stored.nik_last4, stored.phone) == ("17-20", "0003",
                                                                 "+6281234567890")
    assert stored.channel == "web" and stored.desa_code == "3515041003"
    # What stays in the draft after confirming is the code and receipt token, nothing personal.
    drafts = session.exec(select(Draft.payload).where(Draft.kind == "booking")).all()
    assert drafts and all("nik" not in p and "Siti" not in p for p in drafts)


def test_nik_and_needs_never_travel_in_a_cookie_or_url(client, page):
    book_through_the_pages(client, page, needs=["wheelchair"])
    cookies = " ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    assert WOMAN not in cookies and "wheelchair" not in cookies and "Siti" not in cookies


def test_the_english_pages_say_the_same(client, page):
    page(client, "/booking?lang=en")
    done = book_through_the_pages(client, page)
    assert done.h1 == "Your booking is confirmed"


def test_a_place_is_only_taken_at_the_final_confirm(client, page, session):
    page(client, "/booking")
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": _radio_values(days, "day")[0]})
    slot_id = int(_radio_values(page(client, "/booking/jam"), "slot")[0])
    client.post("/booking/jam", data={"slot": slot_id})
    client.post("/booking/data", data={"nik": MAN, "name": "Budi", "desa": "luar"})
    assert session.get(Slot, slot_id).booked == 0
    assert session.exec(select(func.count()).select_from(Booking)).one() == 0


@pytest.mark.parametrize("bad,words", [
    ("351504120307000", "16 angka"), ("35150412030700031", "16 angka"),
    ("3515041203O70003", "hanya berisi angka"), ("3515041213070003", "tanggal lahir"),
    ("3515047203070003", "tanggal lahir"), ("3515041203070000", "0000"),
    ("9915041203070003", "provinsi")])
def test_a_wrong_nik_is_explained_on_the_same_page(client, page, session, bad, words):
    page(client, "/booking")
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": _radio_values(days, "day")[0]})
    client.post("/booking/jam", data={"slot": _radio_values(page(client, "/booking/jam"),
                                                            "slot")[0]})
    again = page(client, "/booking/data", status=422, method="POST",
                 data={"nik": bad, "name": "Budi", "desa": "3515041003"})
    assert again.soup.title.get_text().startswith("Kesalahan:")
    summary = again.select_one(".error-summary")
    assert words in summary.get_text() and summary.select_one('a[href="#nik"]')
    assert again.select_one("#nik")["aria-invalid"] == "true"
    # The typed NIK comes back only in the form to fix it, in a page no cache may keep.
    assert again.select_one("#nik")["value"] == bad
    assert "no-store" in again.response.headers["Cache-Control"]


def test_a_missing_answer_sends_the_person_back_to_that_step(client, page):
    _redirect(client.get("/booking/jam"), "/booking")
    client.post("/booking", data={"service": "rusak"})
    _redirect(client.get("/booking/periksa"), "/booking/kantor")


def test_a_slot_taken_meanwhile_gets_a_clear_message_and_the_next_free_times(
        client, page, session):
    page(client, "/booking")
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": _radio_values(days, "day")[0]})
    slot_id = int(_radio_values(page(client, "/booking/jam"), "slot")[0])
    client.post("/booking/jam", data={"slot": slot_id})
    client.post("/booking/data", data={"nik": MAN, "name": "Budi", "desa": "luar"})
    slot = session.get(Slot, slot_id)
    slot.booked = slot.capacity  # everyone else was faster
    session.add(slot)
    session.commit()
    taken = page(client, "/booking/periksa", status=409, method="POST")
    assert "baru saja habis" in taken.text
    offered = _radio_values(taken, "slot")
    assert offered and str(slot_id) not in offered
    assert session.exec(select(func.count()).select_from(Booking)).one() == 0
    _redirect(client.post("/booking/jam", data={"slot": offered[0]}), "/booking/periksa")
    _redirect(client.post("/booking/periksa"), "/booking/selesai")


def test_a_second_booking_for_the_same_nik_is_refused_kindly_at_the_details_step(
        client, page, session):
    book_through_the_pages(client, page)
    client.delete_cookie("booking_draft")
    page(client, "/booking")
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": _radio_values(days, "day")[-1]})
    client.post("/booking/jam", data={"slot": _radio_values(page(client, "/booking/jam"),
                                                            "slot")[0]})
    # Told at once, on the NIK, not after the review (issue 10).
    refused = page(client, "/booking/data", status=422, method="POST",
                   data={"nik": WOMAN, "name": "Siti", "desa": "luar"})
    assert "sudah punya jadwal" in refused.select_one("#nik-error").get_text()
    _redirect(client.get("/booking/periksa"), "/booking/data")
    assert session.exec(select(func.count()).select_from(Booking)).one() == 1


def test_counter_services_book_the_counter_pool(client, page, session):
    code = _code(book_through_the_pages(client, page, service="hilang")).replace("-", "")
    stored = session.exec(select(Booking).where(Booking.code == code)).one()
    assert session.get(Slot, stored.slot_id).pool == "counter"


# --- manage -------------------------------------------------------------------------------------


def _open(client, page, code, nik=WOMAN):
    return client.post(f"/booking/{code}", data={"code": code, "nik": nik})


def test_manage_asks_for_code_and_full_nik_before_showing_anything(client, page, session):
    code = _code(book_through_the_pages(client, page))
    client.delete_cookie("booking_manage")
    form = page(client, f"/booking/{code.replace('-', '')}")
    assert "Siti" not in form.text and form.select_one('input[name="nik"]')
    wrong = page(client, f"/booking/{code}", status=422, method="POST",
                 data={"code": code, "nik": MAN})
    unknown = page(client, "/booking/ZZZZZZZZ", status=422, method="POST",
                   data={"code": "ZZZZ-ZZZZ", "nik": WOMAN})
    assert wrong.select_one(".error-summary").get_text() == \
        unknown.select_one(".error-summary").get_text()
    assert "Siti" not in wrong.text
    opened = _open(client, page, code.lower())
    _redirect(opened, f"/booking/{code.replace('-', '')}")
    mine = page(client, f"/booking/{code.replace('-', '')}")
    assert mine.h1 == "Jadwal Anda" and "Siti Aminah" in mine.text and "Terjadwal" in mine.text


def test_codes_are_accepted_with_aliases_and_lower_case(client, page):
    code = _code(book_through_the_pages(client, page)).replace("-", "")
    typed = code.lower().replace("1", "l").replace("0", "o")
    _redirect(client.post("/booking/kelola", data={"code": typed, "nik": WOMAN}),
              f"/booking/{code}")
    assert client.get(f"/booking/{code[:4]}-{code[4:].lower()}").status_code == 301


def test_cancel_needs_a_confirm_page_then_frees_the_place(client, page, session):
    code = _code(book_through_the_pages(client, page)).replace("-", "")
    _open(client, page, code)
    confirm = page(client, f"/booking/{code}/batal")
    assert confirm.select_one("form button.warning")
    _redirect(client.post(f"/booking/{code}/batal"), f"/booking/{code}")
    after = page(client, f"/booking/{code}?selesai=batal")
    assert "Dibatalkan" in after.text and not after.select(f'a[href="/booking/{code}/batal"]')
    stored = session.exec(select(Booking).where(Booking.code == code)).one()
    assert stored.status == "cancelled"
    assert session.get(Slot, stored.slot_id).booked == 0
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "booking.cancel",
                                                 AuditEntry.actor == "citizen")).first()


def test_reschedule_keeps_the_code_and_moves_the_place(client, page, session):
    code = _code(book_through_the_pages(client, page)).replace("-", "")
    old = session.exec(select(Booking).where(Booking.code == code)).one()
    _open(client, page, code)
    days = page(client, f"/booking/{code}/ubah")
    day_links = [a for a in days.links() if "day=" in a]
    times = page(client, day_links[-1])
    choice = next(a for a in times.links() if re.search(rf"/booking/{code}/ubah/\d+$", a))
    confirm = page(client, choice)
    assert confirm.h1 == "Pindahkan jadwal?"
    _redirect(client.post(choice), f"/booking/{code}")
    session.expire_all()
    rows = session.exec(select(Booking).where(Booking.code == code).order_by(Booking.id)).all()
    assert [r.status for r in rows] == ["moved", "booked"]
    assert rows[0].replaced_by_id == rows[1].id and rows[1].slot_id != old.slot_id
    assert bookings.counter_drift(session) == []
    assert "dipindah" in page(client, f"/booking/{code}?selesai=ubah").text


def test_the_time_step_answers_htmx_with_only_the_choices(client, page):
    page(client, "/booking")
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": _radio_values(days, "day")[0]})
    full = page(client, "/booking/jam")
    other_day = next(a for a in full.links() if "/booking/jam?day=" in a)
    fragment = page(client, other_day, fragment=True, headers={"HX-Request": "true"})
    assert fragment.select_one("#time-choices") and not fragment.select("h1")
    assert "HX-Request" in fragment.response.headers["Vary"]


# --- abuse limits -------------------------------------------------------------------------------


def _to_details(client, page):
    page(client, "/booking")
    client.post("/booking", data={"service": "pemula"})
    client.post("/booking/kantor", data={"office": "351504"})
    days = page(client, "/booking/hari")
    client.post("/booking/hari", data={"day": _radio_values(days, "day")[0]})
    client.post("/booking/jam", data={"slot": _radio_values(page(client, "/booking/jam"),
                                                            "slot")[0]})


@pytest.mark.app_config(RATE_LIMITS="on")
def test_details_are_limited_per_nik(client, page):
    _to_details(client, page)
    for _ in range(10):
        client.post("/booking/data", data={"nik": MAN, "name": "Budi", "desa": "luar"})
    limited = client.post("/booking/data", data={"nik": MAN, "name": "Budi", "desa": "luar"})
    assert limited.status_code == 429
    other = client.post("/booking/data", data={"nik": WOMAN, "name": "Siti", "desa": "luar"})
    assert other.status_code == 303


@pytest.mark.app_config(RATE_LIMITS="on")
def test_details_are_limited_per_phone(client, page):
    _to_details(client, page)
    for i in range(10):
        client.post("/booking/data", data={"nik": f"35150412030700{i + 10}", "name": "Budi",
                                           "desa": "luar", "phone": "081234567890"})
    limited = client.post("/booking/data", data={"nik": WOMAN, "name": "Siti", "desa": "luar",
                                                 "phone": "+62 812-3456-7890"})
    assert limited.status_code == 429


@pytest.mark.app_config(RATE_LIMITS="on")
def test_details_are_limited_per_address(client, page):
    _to_details(client, page)
    for i in range(30):
        client.post("/booking/data", data={"nik": f"3515041203070{i + 100:03d}", "name": "B",
                                           "desa": "luar"})
    limited = client.post("/booking/data", data={"nik": WOMAN, "name": "Siti", "desa": "luar"})
    assert limited.status_code == 429
    assert "429" in limited.get_data(as_text=True) or limited.mimetype == "text/html"


@pytest.mark.app_config(RATE_LIMITS="on")
def test_confirming_is_limited_per_nik(client, page, session):
    _to_details(client, page)
    client.post("/booking/data", data={"nik": MAN, "name": "Budi", "desa": "luar"})
    # Booked at the counter meanwhile: each confirm is refused, and only five are answered.
    book(session, slot_at(session, "351504", tuesday(), time(9)), MAN)
    session.commit()
    statuses = [client.post("/booking/periksa").status_code for _ in range(6)]
    assert statuses == [409] * 5 + [429]


@pytest.mark.app_config(RATE_LIMITS="on")
def test_confirming_is_limited_per_address(client):
    statuses = [client.post("/booking/periksa").status_code for _ in range(11)]
    assert statuses == [303] * 10 + [429]


@pytest.mark.app_config(RATE_LIMITS="on")
def test_guessing_a_nik_for_a_code_is_throttled_per_code(client, page):
    code = _code(book_through_the_pages(client, page)).replace("-", "")
    for i in range(5):
        assert client.post(f"/booking/{code}", data={
            "code": code, "nik": f"35150452030700{i + 10}"}).status_code == 422
    # Even the right NIK waits now: guessing must not pay off.
    assert client.post(f"/booking/{code}", data={"code": code, "nik": WOMAN}).status_code == 429


@pytest.mark.app_config(RATE_LIMITS="on")
def test_trying_many_codes_from_one_address_is_throttled(client, page):
    for i in range(10):
        code = f"ABCD{i:04d}"
        assert client.post(f"/booking/{code}", data={"code": code, "nik": WOMAN}).status_code \
            == 422
    assert client.post("/booking/kelola", data={"code": "ZZZZZZZZ",
                                                "nik": WOMAN}).status_code == 429


def test_needs_stated_on_the_help_page_are_ticked_in_the_booking(client, page, session):
    stated = client.post("/bantuan", data={"needs": ["wheelchair", "companion"],
                                           "service": "pemula"})
    assert stated.status_code == 303
    _to_details(client, page)
    details = page(client, "/booking/data")
    ticked = {i["value"] for i in details.select('input[name="needs"][checked]')}
    assert ticked == {"wheelchair", "companion"}
    _redirect(client.post("/booking/data", data={
        "nik": MAN, "name": "Budi", "desa": "luar", "needs": sorted(ticked)}), "/booking/periksa")
    assert "Saya memakai kursi roda" in page(client, "/booking/periksa").text
    _redirect(client.post("/booking/periksa"), "/booking/selesai")
    stored = session.exec(select(Booking).where(Booking.status == "booked")).one()
    assert stored.priority and stored.desa_code is None
    assert bookings.needs_of(stored) == ["companion", "wheelchair"]


# --- issue 10 (F): the input rules of the one domain check --------------------------------


def test_a_nik_typed_with_dots_books_like_one_with_spaces(client, page, session):
    done = book_through_the_pages(client, page, nik="35.15.04.520307.0003")
    stored = session.exec(select(Booking).where(
        Booking.code == _code(done).replace("-", ""))).one()
    assert stored.nik_last4 == "0003"


def test_leaving_the_desa_at_choose_asks_for_it(client, page, session):
    _to_details(client, page)
    asked = page(client, "/booking/data", method="POST", status=422,
                 data={"nik": WOMAN, "name": "Siti", "desa": ""})
    assert "Pilih desa atau kelurahan" in asked.select_one("#desa-error").get_text()
    _redirect(client.get("/booking/periksa"), "/booking/data")


def test_a_short_nik_on_the_manage_form_says_it_needs_16_digits(client, page):
    refused = page(client, "/booking/kelola", method="POST", status=422,
                   data={"code": "K7Q2M9XH", "nik": "351"})
    assert "16 angka" in refused.select_one("#nik-error").get_text()


# --- issue 10 (H): the citizen pages on a phone --------------------------------------------------


def test_today_after_closing_reads_past_not_full(client, page, monkeypatch):
    from datetime import UTC, datetime

    import app.web.citizen.booking as booking_views
    late_monday = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 23:00 WIB, the office has closed
    monkeypatch.setattr(booking_views, "utcnow", lambda: late_monday)
    _redirect(client.post("/booking", data={"service": "pemula"}), "/booking/kantor")
    _redirect(client.post("/booking/kantor", data={"office": "351504"}), "/booking/hari")
    days = page(client, "/booking/hari")
    today = days.select(".calendar-day")[0].get_text(" ", strip=True)
    assert "Sudah lewat" in today and "Penuh" not in today, today


def test_home_leads_to_booking_managing_and_todays_status(client, page):
    home = page(client, "/")
    links = home.links()
    assert "/booking" in links and "/booking/kelola" in links
    assert "/status/351504" in links and "/status/737109" in links
    assert home.select_one("#service-status") is not None


def test_what_to_bring_has_no_stray_sentence_start(client, page):
    done = book_through_the_pages(client, page)
    items = [li.get_text(" ", strip=True) for li in done.select(".bring-list li")]
    assert items and not any(" . " in item or item.startswith(".") for item in items), items
    spans = done.select(".bring-list li > span")
    assert len(spans) == len(items)  # name and detail are one flex item: no orphan "." column


def test_read_aloud_is_offered_on_the_booking_steps_and_the_confirmation(client, page):
    first = page(client, "/booking?service=pemula")
    assert first.select_one("[data-read-aloud]") is not None
    assert "/static/js/read-aloud.js" in first.html
    done = book_through_the_pages(client, page, nik="3515045203070011")
    assert done.select_one("[data-read-aloud]") is not None
    assert "/static/js/read-aloud.js" in done.html
