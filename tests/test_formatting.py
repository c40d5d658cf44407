"""One way to write a time and a date (app/formatting.py), on every page and every print.

Indonesian writes times with a period (08.00–08.30) and "Rabu, 2 Desember 2026"; English with a
colon (08:00–08:30) and "Wednesday, 2 December 2026", day before month. The booking receipt said
08.00–08.30 while the confirmation page said 08:00–08:30; the English checklist said
"December 1, 2026". Expected strings here are built with plain strftime, not with the module.
"""

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app import formatting
from app.models import Booking, Slot

WOMAN = "3515045203070003"
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
US_DATE = re.compile(r"\b(" + "|".join(MONTHS_EN) + r") \d{1,2}, \d{4}")
PDFTOTEXT = shutil.which("pdftotext")


# --- the functions ---------------------------------------------------------------------------


def test_indonesian_writes_a_period_and_english_a_colon():
    start = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08.00 in Jakarta
    end = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert formatting.slot_range(start, end, "id", "Asia/Jakarta") == "08.00–08.30 WIB"
    assert formatting.slot_range(start, end, "en", "Asia/Jakarta") == "08:00–08:30 WIB"
    assert formatting.slot_range(start, end, "en", "Asia/Makassar") == "09:00–09:30 WITA"
    assert formatting.local_time(time(8), "id") == "08.00"


def test_naive_moments_are_utc_as_rekam_stores_them():
    naive = datetime(2026, 12, 1, 1, 0)
    assert formatting.local_time(naive, "id", "Asia/Jayapura") == "10.00"
    assert formatting.local_moment(naive, "id", "Asia/Jayapura") == \
        "Selasa, 1 Desember 2026, 10.00 WIT"


def test_english_dates_put_the_day_first():
    assert formatting.local_date(date(2026, 12, 1), "en") == "1 December 2026"
    assert formatting.local_date(date(2026, 12, 1), "en", weekday=True) == \
        "Tuesday, 1 December 2026"
    assert formatting.local_date(date(2026, 12, 1), "id", weekday=True) == \
        "Selasa, 1 Desember 2026"
    assert formatting.local_date(date(2026, 12, 1), "id", year=False) == "1 Desember"


def test_a_new_language_takes_its_conventions_from_cldr_without_code():
    # Sundanese writes the period and its own month names; an unknown code falls back.
    assert formatting.local_date(date(2026, 12, 1), "su") == "1 Désémber 2026"
    assert formatting.local_time(time(8), "su") == "08.00"
    assert formatting.local_time(time(8), "xx") == "08.00"


def test_zone_names_codes_and_niks_have_one_definition():
    assert formatting.zone_name("Asia/Makassar") == "WITA"
    assert formatting.display_code("K7Q2M9XH") == "K7Q2-M9XH"
    assert formatting.masked_nik("0003") == "••••••••••••0003"


def test_the_filters_follow_the_page_language_and_the_print_stays_indonesian(app):
    start = datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    end = datetime(2026, 12, 1, 8, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    template = app.jinja_env.from_string("{{ start|slot_range(end) }} {{ start|local_date }}")
    with app.test_request_context("/?lang=en"):
        assert template.render(start=start, end=end) == "08:00–08:30 WIB 1 December 2026"
        # A template given lang="id" (the receipt print) is Indonesian in any request.
        assert template.render(start=start, end=end, lang="id") == \
            "08.00–08.30 WIB 1 Desember 2026"
    with app.app_context():  # a background job: no request, Indonesian
        assert template.render(start=start, end=end) == "08.00–08.30 WIB 1 Desember 2026"


# --- one booking, every surface ----------------------------------------------------------------


def _redirected(response, to: str):
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].split("?")[0] == to


def _first(pg, name):
    return pg.select(f'input[name="{name}"]')[0]["value"]


def _book(client, page, lang):
    page(client, f"/booking?lang={lang}")
    _redirected(client.post("/booking", data={"service": "pemula"}), "/booking/kantor")
    _redirected(client.post("/booking/kantor", data={"office": "351504"}), "/booking/hari")
    _redirected(client.post("/booking/hari", data={"day": _first(page(client, "/booking/hari"),
                                                                  "day")}), "/booking/jam")
    _redirected(client.post("/booking/jam", data={"slot": _first(page(client, "/booking/jam"),
                                                                  "slot")}), "/booking/data")
    _redirected(client.post("/booking/data", data={"nik": WOMAN, "name": "Siti Aminah",
                                                   "desa": "3515041003"}), "/booking/periksa")
    _redirected(client.post("/booking/periksa"), "/booking/selesai")
    return page(client, "/booking/selesai")


def _expected(session, code: str):
    booking = session.exec(select(Booking).where(Booking.code == code)).one()
    slot = session.get(Slot, booking.slot_id)
    zone = ZoneInfo("Asia/Jakarta")
    start = slot.starts_at.replace(tzinfo=slot.starts_at.tzinfo or UTC).astimezone(zone)
    end = slot.ends_at.replace(tzinfo=slot.ends_at.tzinfo or UTC).astimezone(zone)
    return {
        "id": (f"{start:%H.%M}–{end:%H.%M} WIB",
               f"{DAYS_ID[start.weekday()]}, {start.day} {MONTHS_ID[start.month - 1]} "
               f"{start.year}"),
        "en": (f"{start:%H:%M}–{end:%H:%M} WIB",
               f"{DAYS_EN[start.weekday()]}, {start.day} {MONTHS_EN[start.month - 1]} "
               f"{start.year}"),
    }


def _pdf_text(data: bytes) -> str:
    result = subprocess.run([PDFTOTEXT, "-layout", "-", "-"], input=data, capture_output=True,
                            check=True)
    return " ".join(result.stdout.decode("utf-8").split())


@pytest.mark.db
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) missing")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_pages_and_receipts_write_the_booking_time_the_same_way(client, page, session, lang):
    done = _book(client, page, lang)
    code = done.select_one(".booking-code-value").get_text(strip=True).replace("-", "")
    token = next(link for link in done.links() if "/document" in link).split("/")[2]
    _redirected(client.post(f"/booking/{code}", data={"code": code, "nik": WOMAN}),
                f"/booking/{code}")
    shown = {
        "confirmation": done.text,
        "manage": page(client, f"/booking/{code}").text,
        "verify": page(client, f"/v/{token}").text,
        "receipt page": page(client, f"/v/{token}/receipt").text,
    }
    expected = _expected(session, code)
    times, day = expected[lang]
    for name, text in shown.items():
        text = " ".join(text.split())
        assert times in text, (name, times, text[:2000])
        assert day in text, (name, day)
        assert not US_DATE.search(text), name
        other_times = expected["en" if lang == "id" else "id"][0]
        assert other_times not in text, name
    # The A5 original is Indonesian whatever the page language: the same words as the
    # Indonesian pages.
    pdf = client.get(f"/v/{token}/document")
    assert pdf.status_code == 200
    printed = _pdf_text(pdf.data)
    assert expected["id"][0] in printed and expected["id"][1] in printed
    thermal = client.get(f"/v/{token}/document-80mm")
    assert expected["id"][0] in _pdf_text(thermal.data)


def test_the_english_checklist_writes_dates_day_first(client, page):
    checked = page(client, "/syarat/pemula?lang=en", method="POST",
                   data={"nik": "3515040109100003", "ever_married": "no"})
    text = " ".join(checked.text.split())
    assert "1 September 2010" in text  # the birth date in the NIK, as English writes it here
    assert not US_DATE.search(text)
