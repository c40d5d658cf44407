"""/lapor (anonymous misconduct reports), home-visit requests and "Saya perlu bantuan"."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from sqlmodel import select

from app import create_app
from app.db import database
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import Draft, HomeVisitRequest, MisconductReport
from tests.support.databases import fresh_database

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>'; DROP TABLE misconduct_report; --"
TEN_KB = "a" * 10_240


def _form_fields(shown, css="main form[method=post]") -> dict:
    form = shown.select_one(css)
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def _report_data(shown, **overrides):
    return {**_form_fields(shown), "office": "351504", "event_date": "2026-11-20",
            "kind": "money", "place": "pickup",
            "description": "Orang desa meminta Rp 20.000 saat kartu diambil.",
            "contact": "", **overrides}


def _visit_data(shown, **overrides):
    return {**_form_fields(shown), "name": "Ibu Sumiati", "desa": "3515041003",
            "phone": "0812 3456 7890", "requester": "family", "service": "pemula",
            "details": "Terbaring sejak stroke.", **overrides}


def _reports(session):
    session.expire_all()
    return session.exec(select(MisconductReport)).all()


def _visits(session):
    session.expire_all()
    return session.exec(select(HomeVisitRequest)).all()


# --- /lapor ----------------------------------------------------------------------------------


def test_a_report_is_stored_anonymously_and_its_number_shown(client, page, session):
    form = page(client, "/lapor")
    response = client.post("/lapor", data=_report_data(form))
    assert response.status_code == 303
    sent = page(client, response.headers["Location"])
    reference = sent.select_one(".guide-reference strong").get_text()
    assert reference.startswith("LPR-") and sent.h1 == "Laporan terkirim"
    (report,) = _reports(session)
    assert (report.reference, report.office_code, report.kind, report.status) == (
        reference, "351504", "money", "new")
    assert report.contact == ""


def test_the_report_form_names_the_offices_and_says_no_address_is_kept(client, page):
    form = page(client, "/lapor?lang=en")
    options = [o.get_text() for o in form.select("#office option")]
    assert options == ["Choose the kecamatan", "Kecamatan Porong", "Kecamatan Panakkukang"]
    assert "We do not store your internet (IP) address." in form.text


@pytest.mark.parametrize("lang, summary", [("id", "Ada yang perlu diperbaiki"),
                                           ("en", "There is a problem")])
def test_an_empty_report_gets_a_422_in_the_persons_language(client, page, session, lang, summary):
    shown = page(client, f"/lapor?lang={lang}", method="POST", status=422, data={})
    errors = shown.select(".error-summary li")
    assert len(errors) == 5  # office, place, date, kind, story
    if lang == "en":
        assert "Tell us what happened." in shown.select_one(".error-summary").get_text()
    assert _reports(session) == []


def test_a_too_long_report_is_refused_and_kept_for_editing(client, page, session):
    form = page(client, "/lapor")
    shown = page(client, "/lapor", method="POST", status=422,
                 data=_report_data(form, description=TEN_KB, contact=TEN_KB))
    summary = shown.select_one(".error-summary").get_text()
    assert "paling banyak 2000 huruf" in summary and "paling banyak 200 huruf" in summary
    assert _reports(session) == []


def test_hostile_text_is_stored_as_text_and_shown_escaped(client, page, session):
    form = page(client, "/lapor")
    refused = page(client, "/lapor", method="POST", status=422,
                   data=_report_data(form, office="", description=HOSTILE))
    assert refused.soup.find("script", src=False) is None
    assert refused.select_one("#description").get_text().lstrip("\r\n") == HOSTILE
    assert refused.select_one("img[onerror]") is None
    stored = client.post("/lapor", data=_report_data(form, description=HOSTILE,
                                                     contact="' OR 1=1 --"))
    assert stored.status_code == 303
    (report,) = _reports(session)
    assert report.description == HOSTILE and report.contact == "' OR 1=1 --"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_bytes_that_are_not_utf8_get_a_clear_422_never_a_500(client, page, session, lang):
    body = b"office=351504&kind=money&description=" + b"\xff\xfe" + b"&event_date=2026-11-20"
    shown = page(client, f"/lapor?lang={lang}", method="POST", status=422, data=body,
                 content_type="application/x-www-form-urlencoded")
    expected = ("tidak bisa kami baca" if lang == "id" else "characters we cannot read")
    assert expected in shown.select_one(".error-summary").get_text()
    assert _reports(session) == []


@pytest.mark.parametrize("text", ["a\x00b", "\ufffd\ufffd", "bell\x07"])
def test_control_characters_and_replacement_marks_are_refused(client, page, session, text):
    form = page(client, "/lapor")
    shown = page(client, "/lapor", method="POST", status=422,
                 data=_report_data(form, description=text))
    assert "tidak bisa dibaca" in shown.select_one(".error-summary").get_text()
    assert _reports(session) == []


def test_a_multipart_post_with_broken_bytes_is_refused_too(client, page, session):
    fields = {**_report_data(page(client, "/lapor")), "description": None}
    parts = [f'--XX\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode() for name, value in fields.items() if value is not None]
    parts.append(b'--XX\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
                 b"\xff\xfe\r\n--XX--\r\n")
    shown = page(client, "/lapor", method="POST", status=422, data=b"".join(parts),
                 content_type="multipart/form-data; boundary=XX")
    assert "tidak bisa" in shown.select_one(".error-summary").get_text()
    assert _reports(session) == []


@pytest.mark.parametrize("day, message", [("2099-01-01", "setelah hari ini"),
                                          ("31-02-2026", "tanggal kejadian yang benar"),
                                          ("1999-12-31", "tanggal kejadian yang benar")])
def test_an_impossible_event_date_is_refused(client, page, day, message):
    form = page(client, "/lapor")
    shown = page(client, "/lapor", method="POST", status=422,
                 data=_report_data(form, event_date=day))
    assert message in shown.select_one(".error-summary").get_text()


def test_a_date_typed_day_first_is_understood(client, page, session):
    form = page(client, "/lapor")
    assert client.post("/lapor", data=_report_data(form, event_date="20-11-2026")).status_code == 303
    assert str(_reports(session)[0].event_date) == "2026-11-20"


def test_a_report_sent_twice_quickly_is_stored_once(client, page, session):
    data = _report_data(page(client, "/lapor"))
    first = client.post("/lapor", data=data)
    second = client.post("/lapor", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_reports(session)) == 1


def test_a_failed_report_keeps_its_one_time_token_so_the_retry_is_not_doubled(client, page,
                                                                              session):
    data = _report_data(page(client, "/lapor"))
    refused = page(client, "/lapor", method="POST", status=422, data={**data, "office": ""})
    assert _form_fields(refused)["submission_id"] == data["submission_id"]
    client.post("/lapor", data=data)
    client.post("/lapor", data=data)
    assert len(_reports(session)) == 1


@pytest.mark.db
def test_two_simultaneous_posts_of_one_report_store_one(worker_name, tmp_path, page):
    """Both requests run at once through the real app on a database of its own (committed
    data): one report, and both answers show the same reference number."""
    url = fresh_database(f"{worker_name}_lapor_race", tmp_path)
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATE_LIMITS": "off", "SECRET_KEY": "t",
                      "DATA_KEY": "t", "BASE_URL": "http://rekam.test"})
    with app.app_context(), database().session() as session:
        seed_demo(session)
        session.commit()
    data = _report_data(page(app.test_client(), "/lapor"))
    barrier = threading.Barrier(2)
    locations, errors = [], []

    def post():
        try:
            client = app.test_client()
            barrier.wait()
            locations.append(client.post("/lapor", data=data).headers.get("Location"))
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with app.app_context():
        with database().session() as session:
            count = len(session.exec(select(MisconductReport)).all())
        database().dispose()
    assert not errors
    assert len(locations) == 2 and locations[0] == locations[1] is not None
    assert count == 1


@pytest.mark.app_config(RATE_LIMITS="on")
def test_reports_are_limited_per_address(client, page, session):
    for _ in range(5):
        data = _report_data(page(client, "/lapor"))
        assert client.post("/lapor", data=data).status_code == 303
    data = _report_data(page(client, "/lapor"))
    refused = page(client, "/lapor", method="POST", status=429, data=data)
    assert "Terlalu banyak percobaan" in refused.h1
    assert len(_reports(session)) == 5


@pytest.mark.app_config(RATE_LIMITS="on")
def test_mistakes_in_the_form_do_not_use_up_the_limit(client, page):
    form = page(client, "/lapor")
    for _ in range(6):
        page(client, "/lapor", method="POST", status=422, data={**_form_fields(form)})
    assert client.post("/lapor", data=_report_data(form)).status_code == 303


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_the_form_works_and_broken_bytes_are_still_a_422(client, page, session):
    form = page(client, "/lapor")
    assert "csrf_token" in _form_fields(form)
    assert client.post("/lapor", data=_report_data(form)).status_code == 303
    missing_token = {k: v for k, v in _report_data(form).items() if k != "csrf_token"}
    # The same answer as every other form without its token (tests/test_forms.py).
    with client.without_csrf():
        refused = page(client, "/lapor", method="POST", status=400, data={
            **missing_token, "submission_id": "another-token-0123456789"})
    assert "kedaluwarsa" in refused.text
    # Broken bytes no longer hide the token: the form is read and says what is wrong.
    token = _report_data(form)["csrf_token"]
    shown = page(client, "/lapor", method="POST", status=422,
                 data=f"csrf_token={token}&office=351504&description=".encode() + b"\xff\xfe",
                 content_type="application/x-www-form-urlencoded")
    assert "tidak bisa kami baca" in shown.select_one("#description-error").get_text()
    assert len(_reports(session)) == 1


def test_an_unknown_reference_is_not_found(client, page):
    page(client, "/lapor/terkirim?nomor=LPR-000000", status=404)
    page(client, "/lapor/terkirim?nomor=<script>", status=404)


# --- home-visit requests ---------------------------------------------------------------------


def test_a_home_visit_request_is_stored_for_the_office_of_the_desa(client, page, session):
    form = page(client, "/kunjungan-rumah")
    groups = [g["label"] for g in form.select("#desa optgroup")]
    assert groups == ["Kecamatan Porong", "Kecamatan Panakkukang"]
    response = client.post("/kunjungan-rumah", data=_visit_data(form))
    assert response.status_code == 303
    sent = page(client, response.headers["Location"])
    reference = sent.select_one(".guide-reference strong").get_text()
    assert reference.startswith("KRM-") and "Kecamatan Porong" in sent.text
    (visit,) = _visits(session)
    assert (visit.reference, visit.office_code, visit.desa_code, visit.phone, visit.status) == (
        reference, "351504", "3515041003", "+6281234567890", "new")


@pytest.mark.parametrize("lang, summary", [("id", "Ada yang perlu diperbaiki"),
                                           ("en", "There is a problem")])
def test_an_empty_home_visit_request_gets_a_422_in_the_persons_language(client, page, session,
                                                                       lang, summary):
    shown = page(client, f"/kunjungan-rumah?lang={lang}", method="POST", status=422, data={})
    assert len(shown.select(".error-summary li")) == 5
    if lang == "en":
        assert "Enter the name of the person to visit." in shown.text
    assert _visits(session) == []


@pytest.mark.parametrize("overrides, message", [
    ({"name": TEN_KB}, "paling banyak 120 huruf"),
    ({"details": TEN_KB}, "paling banyak 500 huruf"),
    ({"phone": "+1 202 555 0100"}, "bukan nomor Indonesia"),
    ({"phone": TEN_KB}, "Tulis nomor HP atau telepon"),
    ({"desa": "9999999999"}, "Pilih desa atau kelurahan."),
    ({"requester": "mayor"}, "Pilih siapa yang mengisi"),
    ({"service": "paspor"}, "Pilih layanan yang diperlukan."),
    ({"name": "Ibu\x00Sumiati"}, "tidak bisa dibaca"),
])
def test_wrong_home_visit_input_is_refused_with_a_clear_message(client, page, session, overrides,
                                                               message):
    form = page(client, "/kunjungan-rumah")
    shown = page(client, "/kunjungan-rumah", method="POST", status=422,
                 data=_visit_data(form, **overrides))
    assert message in shown.select_one(".error-summary").get_text()
    assert _visits(session) == []


def test_hostile_home_visit_text_is_stored_as_text(client, page, session):
    form = page(client, "/kunjungan-rumah")
    response = client.post("/kunjungan-rumah", data=_visit_data(form, name=HOSTILE[:120],
                                                                details=HOSTILE))
    assert response.status_code == 303
    (visit,) = _visits(session)
    assert visit.details == HOSTILE and visit.name == HOSTILE[:120].strip()


def test_non_utf8_home_visit_request_is_a_422_in_english_when_asked(client, page, session):
    shown = page(client, "/kunjungan-rumah?lang=en", method="POST", status=422,
                 data=b"name=\xff\xfe&desa=3515041003",
                 content_type="application/x-www-form-urlencoded")
    assert "characters we cannot read" in shown.select_one(".error-summary").get_text()
    assert _visits(session) == []


def test_a_home_visit_request_sent_twice_is_stored_once(client, page, session):
    data = _visit_data(page(client, "/kunjungan-rumah"))
    assert (client.post("/kunjungan-rumah", data=data).headers["Location"]
            == client.post("/kunjungan-rumah", data=data).headers["Location"])
    assert len(_visits(session)) == 1


# --- "Saya perlu bantuan" --------------------------------------------------------------------


def _draft(session, client):
    cookie = client.get_cookie("booking_draft")
    assert cookie is not None
    session.expire_all()
    draft = session.get(Draft, cookie.value)
    return cookie, draft, json.loads(draft.payload)


def test_needs_are_kept_in_the_booking_draft_for_the_booking_flow(client, page, session):
    form = page(client, "/bantuan?layanan=pemula")
    assert _form_fields(form)["service"] == "pemula"
    response = client.post("/bantuan", data={"needs": ["wheelchair", "companion"],
                                             "service": "pemula"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/bantuan?layanan=pemula&tersimpan=1"
    cookie, draft, payload = _draft(session, client)
    assert draft.kind == "booking" and payload == {"needs": ["wheelchair", "companion"]}
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.path == "/"
    assert not cookie.secure  # BASE_URL is http in tests
    saved = page(client, response.headers["Location"])
    panel = saved.select_one(".guide-result").get_text(" ", strip=True)
    assert "Saya memakai kursi roda atau sulit berjalan" in panel
    assert "/booking?service=pemula" in saved.links()
    ticked = [i["value"] for i in saved.select("input[name=needs][checked]")]
    assert ticked == ["wheelchair", "companion"]


def test_needs_update_an_existing_draft_and_keep_its_other_answers(client, session):
    from app.domain import drafts

    draft = drafts.start(session, "booking", {"service": "rusak", "office": "351504"})
    session.commit()
    client.set_cookie("booking_draft", draft.id)
    # A value the page did not offer is refused, not silently dropped (issue 10: one rule).
    assert client.post("/bantuan", data={"needs": ["sign_language", "made_up"]}).status_code == 422
    client.post("/bantuan", data={"needs": ["sign_language"]})
    cookie, same, payload = _draft(session, client)
    assert same.id == draft.id
    assert payload == {"service": "rusak", "office": "351504", "needs": ["sign_language"]}


def test_cannot_leave_home_leads_to_the_home_visit_request(client, page, session):
    response = client.post("/bantuan", data={"needs": ["cannot_leave_home"], "service": "pemula"})
    assert response.headers["Location"] == "/kunjungan-rumah?layanan=pemula"
    form = page(client, response.headers["Location"])
    assert form.select_one("input[name=service][value=pemula][checked]") is not None
    _cookie, _draft_row, payload = _draft(session, client)
    assert payload["needs"] == ["cannot_leave_home"]


def test_a_cookie_for_an_expired_or_foreign_draft_starts_a_new_one(client, session):
    client.set_cookie("booking_draft", "x" * 200)
    client.post("/bantuan", data={"needs": ["pregnant"]})
    cookie, draft, payload = _draft(session, client)
    assert len(cookie.value) <= 43 and payload == {"needs": ["pregnant"]}


def test_needs_page_in_english_and_broken_bytes(client, page):
    shown = page(client, "/bantuan?lang=en")
    assert shown.h1 == "I need help"
    labels = [label.get_text(strip=True) for label in shown.select(".picto-choices label")]
    assert "I need a sign-language interpreter" in labels and len(labels) == 7
    page(client, "/bantuan?lang=en", method="POST", status=422, data=b"needs=\xff",
         content_type="application/x-www-form-urlencoded")


# --- issue 10 (H): /lapor asks where it happened, says who reads it, names other channels -------


def test_a_report_stores_where_it_happened_and_needs_that_answer(client, page, session):
    form = page(client, "/lapor")
    assert [i["value"] for i in form.select("input[name=place]")] == [
        "kecamatan", "desa", "pickup", "outreach", "elsewhere"]
    missing = client.post("/lapor", data=_report_data(form, place=""))
    assert missing.status_code == 422 and 'href="#place' in missing.get_data(as_text=True)
    form = page(client, "/lapor")
    assert client.post("/lapor", data=_report_data(form, place="outreach")).status_code == 303
    assert [r.place for r in _reports(session)] == ["outreach"]


def test_the_report_pages_say_who_reads_it_and_where_else_to_report(client, page):
    form = page(client, "/lapor")
    text = form.text
    readers = form.select_one("#report-readers").get_text(" ")
    assert "Disdukcapil kabupaten" in readers and "bukan hanya" in readers
    elsewhere = form.select_one("#report-elsewhere")
    assert "SP4N-LAPOR!" in text and elsewhere.select_one("a[href='https://www.lapor.go.id']")
    assert elsewhere.select_one("a[href='tel:137']") and "Inspektorat" in elsewhere.get_text()
    sent = client.post("/lapor", data=_report_data(form), follow_redirects=True)
    assert "lapor.go.id" in sent.get_data(as_text=True)
    assert "Ombudsman" in sent.get_data(as_text=True)


def test_the_domain_refuses_an_unknown_place(session):
    from app.domain import reports
    with pytest.raises(ValueError):
        reports.submit_misconduct_report(
            session, submission_id=reports.new_submission_id(), office_code="351504",
            event_date=date(2026, 11, 20), kind="money",
            description="x", place="moon")
