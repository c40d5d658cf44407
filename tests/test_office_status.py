"""Today's service status (DESIGN §6 /offices/{code}/status, §5 /status/{office}): public to
read, set only by an admin of that office (or of all offices), audited, shown where people
decide to come."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.domain import office_status
from app.models import AuditEntry

pytestmark = pytest.mark.db

LIMITED = {"recording": "limited", "printing": "stopped",
           "message": "Satu alat perekam rusak; blangko habis sampai Senin."}


def _put(client, headers, body, office="351504"):
    return client.put(f"/api/v1/offices/{office}/status", json=body, headers=headers)


def test_an_office_that_never_set_a_status_reads_normal(client):
    answer = client.get("/api/v1/offices/351504/status")
    assert answer.status_code == 200
    assert answer.json == {"recording": "normal", "printing": "normal", "message": "",
                           "updated_at": None}


def test_status_of_an_unknown_office_is_a_404(client):
    assert client.get("/api/v1/offices/999999/status").status_code == 404
    assert client.get("/status/999999").status_code == 404


def test_the_offices_admin_sets_the_status_and_it_is_audited(client, api_token, session):
    answer = _put(client, api_token("admin", office="737109"), LIMITED, office="737109")
    assert answer.status_code == 200, answer.json
    assert answer.json["recording"] == "limited" and answer.json["printing"] == "stopped"
    assert answer.json["updated_at"].endswith("+08:00")  # WITA: the office's own zone
    assert client.get("/api/v1/offices/737109/status").json["message"] == LIMITED["message"]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "office.status")).one()
    assert entry.subject == "office:737109" and entry.actor.startswith("token:")
    assert entry.detail == "recording=limited printing=stopped"  # the states, not staff words


def test_an_admin_of_all_offices_may_set_any_office(client, api_token):
    assert _put(client, api_token("admin", office=None), LIMITED).status_code == 200


@pytest.mark.parametrize(("role", "office", "status"), [
    ("admin", "737109", 403),  # another office's admin
    ("officer", "351504", 403),
    ("kiosk", "351504", 403),
    ("capture_agent", "351504", 403),
    ("desa_staff", None, 403),
])
def test_only_an_admin_of_the_office_may_set_it(client, api_token, role, office, status):
    assert _put(client, api_token(role, office=office), LIMITED).status_code == status
    assert client.get("/api/v1/offices/351504/status").json["recording"] == "normal"


def test_setting_without_a_token_is_401(client):
    assert _put(client, {}, LIMITED).status_code == 401


@pytest.mark.parametrize(("body", "fields"), [
    ({"printing": "normal"}, {"recording"}),
    ({"recording": "closed", "printing": "normal"}, {"recording"}),
    ({"recording": "normal", "printing": 3}, {"printing"}),
    ({"recording": "normal", "printing": "normal", "message": "x" * 281}, {"message"}),
    ({"recording": "normal", "printing": "normal", "message": "<b>tutup</b>"}, {"message"}),
    ({"recording": "normal", "printing": "normal", "message": "tutup\u202e"}, {"message"}),
    ({"recording": "normal", "printing": "normal", "message": "a\x07b"}, {"message"}),
    ({"recording": "normal", "printing": "normal", "message": ["x"]}, {"message"}),
    ({"recording": "normal", "printing": "normal", "colour": "red"}, {"colour"}),
    ({"recording": "x", "printing": "y", "message": "<i>"}, {"recording", "printing", "message"}),
])
def test_a_bad_status_is_a_422_naming_every_bad_field(client, api_token, body, fields):
    answer = _put(client, {**api_token("admin"), "Accept-Language": "en"}, body)
    assert answer.status_code == 422
    assert answer.json["error"] == "invalid"
    assert set(answer.json["errors"]) == fields
    assert all(answer.json["errors"].values())
    assert client.get("/api/v1/offices/351504/status").json["updated_at"] is None


def test_a_body_that_is_not_an_object_is_a_422(client, api_token):
    answer = client.put("/api/v1/offices/351504/status", data="[]",
                        content_type="application/json", headers=api_token("admin"))
    assert answer.status_code == 422 and "body" in answer.json["errors"]


def test_the_message_is_kept_as_one_normalised_line():
    _r, _p, message = office_status.validate("normal", "limited", "  Blangko\n habis  ")
    assert message == "Blangko habis"


def _set(session, **values):
    office_status.set_status(session, "351504", actor="test",
                             now=datetime(2026, 12, 1, 1, 30, tzinfo=UTC),
                             **{**LIMITED, **values})
    session.commit()


@pytest.mark.parametrize(("lang", "words"), [
    ("id", ["Layanan hari ini", "terbatas", "berhenti", "Selasa, 1 Desember 2026", "08.30 WIB"]),
    ("en", ["Today's service", "limited", "stopped", "1 December 2026", "WIB"]),
])
def test_the_status_page_says_it_in_plain_words_in_both_languages(client, session, page, lang,
                                                                  words):
    _set(session)
    shown = page(client, f"/status/351504?lang={lang}")
    for word in words:
        assert word in shown.text
    assert LIMITED["message"] in shown.text
    assert shown.soup.find("html")["lang"] == lang
    icons = [img["src"] for img in shown.select("dl img")]
    assert any("warning" in s for s in icons) and any("cross" in s for s in icons)


def test_a_normal_day_reads_as_normal(client, page):
    shown = page(client, "/status/351504?lang=en")
    assert "as usual" in shown.text
    assert "Updated" not in shown.text


def test_home_and_both_booking_steps_show_todays_status(client, session, page):
    _set(session)
    home = page(client, "/")
    assert "Perekaman hari ini: terbatas" in home.text
    assert LIMITED["message"] in home.text
    assert "/status/351504" in home.links()
    client.post("/booking", data={"service": "pemula"})
    office_step = page(client, "/booking/kantor")
    assert "Perekaman hari ini: terbatas" in office_step.text
    client.post("/booking/kantor", data={"office": "351504"})
    day_step = page(client, "/booking/hari")
    line = day_step.select_one(".office-status").get_text(" ", strip=True)
    assert "Perekaman hari ini: terbatas" in line and "pencetakan kartu: berhenti" in line
