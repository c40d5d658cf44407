"""The satisfaction survey (issue 17): one answer per slip, answered by the person (the cost
element too), never linkable to a visit or a person; the public summary of an office."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.domain import ikm
from app.models import Booking, SQLModel, SurveyAnswer, SurveyResponse, SurveyToken
from tests.support.receipt_bookings import make_booking

pytestmark = pytest.mark.db

ALL_GOOD = {code: "4" for code in ikm.DEFAULT_ELEMENTS}


def _token(session, office="351504", now=None) -> str:
    [token] = ikm.issue_survey_tokens(session, office, now=now)
    session.commit()
    return token


def _answer(client, token, **answers):
    return client.post("/survei", data={"kode": token, **ALL_GOOD, **answers})


def test_a_slip_opens_the_questions_and_an_answer_is_thanked(client, session, page):
    token = _token(session)
    shown = page(client, f"/survei?kode={ikm.display_token(token).lower()}")
    assert "Kecamatan Porong" in shown.text
    assert len(shown.select("fieldset.survey-question")) == 9 + 10
    assert shown.form_fields(".survey-form")["kode"] == token
    sent = _answer(client, token, saran="Ruang tunggu kurang kursi.")
    assert sent.status_code == 303 and sent.headers["Location"].startswith("/survei/terima-kasih")
    thanks = page(client, sent.headers["Location"])
    assert "tidak berlaku lagi" in thanks.text
    [response] = session.exec(select(SurveyResponse)).all()
    assert response.suggestion == "Ruang tunggu kurang kursi."


def test_the_cost_element_is_answered_by_the_respondent_never_scored_for_them(
        client, session, page):
    token = _token(session)
    form = page(client, f"/survei?kode={token}")
    cost = form.select_one("fieldset#biaya")
    labels = [label.get_text(" ", strip=True) for label in cost.select("label")]
    assert labels == ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
    assert not cost.select("input[checked]")  # nothing chosen for the person
    without_cost = {k: v for k, v in ALL_GOOD.items() if k != "biaya"}
    refused = client.post("/survei", data={"kode": token, **without_cost})
    assert refused.status_code == 422
    assert "Pilih satu jawaban" in refused.get_data(as_text=True)
    assert session.exec(select(SurveyAnswer)).all() == []
    assert _answer(client, token, biaya="1").status_code == 303  # "sangat mahal": money asked
    cost_answer = session.exec(select(SurveyAnswer).where(SurveyAnswer.code == "biaya")).one()
    assert cost_answer.value == 1
    with pytest.raises(ikm.SurveyError) as refused_domain:
        ikm.submit_response(session, _token(session), {k: int(v) for k, v in without_cost.items()})
    assert refused_domain.value.fields == ("biaya",)


def test_a_token_answers_once_and_the_second_answer_is_refused_in_plain_words(
        client, session, page):
    token = _token(session)
    assert _answer(client, token).status_code == 303
    second = _answer(client, token, biaya="1")
    assert second.status_code == 409
    text = second.get_data(as_text=True)
    assert "sudah dipakai" in text and "Satu kode hanya untuk satu jawaban" in text
    opened = page(client, f"/survei?kode={token}", status=409)
    assert "sudah dipakai" in opened.text
    assert session.execute(sa.select(sa.func.count()).select_from(SurveyResponse)).scalar() == 1
    assert session.exec(select(SurveyAnswer).where(SurveyAnswer.code == "biaya")).one().value == 4


def test_an_unknown_or_stale_code_is_refused_and_nothing_is_stored(client, session, page):
    unknown = page(client, "/survei?kode=AAAA-BBBB-CCCC", status=422)
    assert "tidak kami kenal" in unknown.text
    old = _token(session, now=datetime(2026, 1, 15, 3, tzinfo=UTC))
    stale = ikm.check_token(session, old, now=datetime(2026, 3, 1, 3, tzinfo=UTC))
    assert stale.state == "expired"
    assert ikm.check_token(session, old, now=datetime(2026, 2, 28, 3, tzinfo=UTC)).state == "ok"
    assert session.exec(select(SurveyResponse)).all() == []


def test_stored_rows_cannot_be_linked_to_a_booking_or_a_person(client, session):
    """What the database keeps of a slip and its answer: the token's hash, the office, the
    month, used or not; the answer's random id, office, month and answers. No booking or
    ticket id, no time of day, no order, nothing of the person."""
    booking = make_booking(session)
    booking.status, booking.checked_in_at = "checked_in", datetime.now(UTC)
    token = _token(session)  # handed out at this visit's check-out
    assert _answer(client, token, saran="").status_code == 303
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables
              if t.name.startswith("survey_")}
    assert {name: sorted(c.name for c in t.columns) for name, t in tables.items()} == {
        "survey_token": ["month", "office_code", "token_hash", "used"],
        "survey_response": ["id", "month", "office_code", "suggestion"],
        "survey_answer": ["code", "kind", "response_id", "value"],
    }
    foreign = {fk.column.table.name for t in tables.values() for fk in t.foreign_keys}
    assert foreign == {"office", "survey_response"}  # never booking, ticket or staff_user
    [row] = session.exec(select(SurveyToken)).all()
    assert row.token_hash != token and len(row.token_hash) == 64 and row.used
    assert row.month.day == 1
    [response] = session.exec(select(SurveyResponse)).all()
    assert response.month == row.month and response.month.day == 1
    assert len(response.id) == 32 and not response.id.isdigit()  # random, not a sequence
    stored = " ".join(str(v) for table in tables for r in session.execute(
        sa.text(f"SELECT * FROM {table}")).all() for v in r)  # noqa: S608 (our table names)
    for personal in (booking.code, booking.name, booking.nik_hash, booking.nik_last4, token):
        assert personal not in stored
    assert session.get(Booking, booking.id) is not None
    if session.get_bind().dialect.name == "sqlite":  # no hidden rowid telling the order
        for table in tables:
            with pytest.raises(sa.exc.OperationalError):
                session.execute(sa.text(f"SELECT rowid FROM {table}"))  # noqa: S608
            session.rollback()


def test_an_office_can_adapt_its_element_list(app, client, session, page):
    app.config["IKM_ELEMENTS"] = "biaya,perilaku,waktu"
    token = _token(session)
    shown = page(client, f"/survei?kode={token}")
    assert [f["id"] for f in shown.select("fieldset.survey-question")][:3] == [
        "biaya", "perilaku", "waktu"]
    assert client.post("/survei", data={"kode": token, "biaya": "4", "perilaku": "3",
                                        "waktu": "2"}).status_code == 303
    report = ikm.index_report(session, "351504", ikm.Period("year", date.today().year),
                              elements=("biaya", "perilaku", "waktu"))
    assert report.index == 75  # (4 + 3 + 2) / 3 × 25
    with pytest.raises(ValueError):
        ikm.element_list("biaya,uang_rokok")


def test_the_public_summary_shows_the_latest_index_and_grade(client, session, page):
    empty = page(client, "/ikm/351504")
    assert "Belum ada jawaban" in empty.text
    for value in ("4", "3"):
        assert _answer(client, _token(session), **{c: value for c in ALL_GOOD}).status_code == 303
    summary = page(client, "/ikm/351504")
    assert "87,50" in summary.text and "Baik" in summary.text
    assert "terlalu sedikit" not in summary.text  # 2 people served, both answered
    page(client, "/ikm/999999", status=404)


def test_the_officer_prints_slips_shown_once_whose_codes_answer(client, session, login_as,
                                                                 page):
    login_as("officer")
    shown = page(client, "/officer/survei/", method="POST", data={"count": "2"})
    assert shown.response.headers["Cache-Control"] == "no-store"
    codes = [c.get_text(strip=True) for c in shown.select(".survey-slip-code")]
    assert len(codes) == 2 and len(set(codes)) == 2
    assert len(shown.select(".survey-slip img[src^='data:image/png']")) == 2
    rows = session.exec(select(SurveyToken)).all()
    assert {r.office_code for r in rows} == {"351504"} and len(rows) == 2
    assert not any(ikm.normalise_token(c) in (r.token_hash for r in rows) for c in codes)
    assert _answer(client, codes[0]).status_code == 303
    again = page(client, "/officer/survei/")
    assert not again.select(".survey-slip-code")  # never shown again


def test_an_officer_prints_slips_for_their_own_office_only(client, session, login_as):
    login_as("officer")
    assert client.post("/officer/survei/", data={"office": "737109",
                                                 "count": "1"}).status_code == 200
    assert [r.office_code for r in session.exec(select(SurveyToken)).all()] == ["351504"]


@pytest.mark.app_config(RATE_LIMITS="on")
def test_guessing_survey_codes_is_throttled_per_address_and_real_slips_are_not(client, session):
    for i in range(30):
        assert client.get(f"/survei?kode=AAAA-BBBB-{i:04d}").status_code == 422
    assert client.get("/survei?kode=AAAA-BBBB-CCCC").status_code == 429
    other = client.application.test_client()
    token = _token(session)
    for _ in range(40):  # opening a real slip again and again counts nothing
        assert other.get(f"/survei?kode={token}",
                         environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_the_cli_prints_codes_for_slips_printed_elsewhere(runner, client, session):
    result = runner.invoke(args=["survey-codes", "--office", "351504", "--count", "3"])
    assert result.exit_code == 0, result.output
    codes = result.output.split()
    assert len(codes) == 3 and all(ikm.normalise_token(c) for c in codes)
    assert len(session.exec(select(SurveyToken)).all()) == 3
    assert _answer(client, codes[2]).status_code == 303
    refused = runner.invoke(args=["survey-codes", "--office", "999999"])
    assert refused.exit_code == 1 and "no office 999999" in refused.output
