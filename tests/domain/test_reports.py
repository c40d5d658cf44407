"""Misconduct reports and home-visit requests: reference numbers, stored once, phone numbers."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlmodel import Session, select

from app.db import make_engines
from app.domain import reports
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import AuditEntry, HomeVisitRequest, MisconductReport
from tests.support.databases import fresh_database

pytestmark = pytest.mark.db


def _report(session, submission_id=None, **overrides):
    values = {"submission_id": submission_id or reports.new_submission_id(),
              "office_code": "351504", "event_date": date(2026, 11, 20), "kind": "money",
              "description": "Diminta Rp 20.000 untuk blangko.", "contact": ""}
    return reports.submit_misconduct_report(session, **{**values, **overrides})


def _home_visit(session, submission_id=None, **overrides):
    values = {"submission_id": submission_id or reports.new_submission_id(),
              "desa_code": "3515041003", "name": "Ibu Sumiati", "phone": "0812-3456-7890",
              "requester": "family", "service": "pemula", "details": "Terbaring sejak stroke."}
    return reports.request_home_visit(session, **{**values, **overrides})


def test_a_report_gets_a_reference_number_that_is_easy_to_read_out(session):
    stored = _report(session)
    assert stored.created
    assert re.fullmatch(r"LPR-[0-9A-HJKMNP-TV-Z]{6}", stored.reference)
    assert not set(stored.reference[4:]) & set("ILOU")


def test_reference_numbers_are_random_and_unique(session):
    references = {_report(session).reference for _ in range(30)}
    assert len(references) == 30


def test_the_same_form_sent_twice_is_stored_once_with_the_same_reference(session):
    token = reports.new_submission_id()
    first = _report(session, token)
    second = _report(session, token, description="Dikirim dua kali")
    assert (first.created, second.created) == (True, False)
    assert second.reference == first.reference
    stored = session.exec(select(MisconductReport).where(
        MisconductReport.submission_id == token)).all()
    assert len(stored) == 1 and stored[0].description == "Diminta Rp 20.000 untuk blangko."


def test_hostile_text_is_stored_exactly_as_typed(session):
    hostile = "<script>alert(1)</script>'; DROP TABLE misconduct_report; --"
    stored = _report(session, description=hostile, contact="\"<b>\" OR 1=1")
    session.expire_all()
    record = session.get(MisconductReport, stored.record.id)
    assert record.description == hostile and record.contact == "\"<b>\" OR 1=1"


def test_a_report_keeps_no_client_address_and_the_audit_log_only_its_reference(session):
    stored = _report(session, contact="08123456789")
    columns = set(MisconductReport.model_fields)
    assert not columns & {"ip", "ip_address", "remote_addr", "user_agent"}
    entry = session.exec(select(AuditEntry).where(AuditEntry.subject == stored.reference)).one()
    assert entry.action == "report.create" and entry.actor == "citizen"
    assert "0812" not in entry.detail


def test_a_made_up_submission_token_is_refused(session):
    with pytest.raises(ValueError):
        _report(session, submission_id="short")


def test_a_home_visit_request_goes_to_the_office_of_the_desa(session):
    stored = _home_visit(session)
    assert stored.created and stored.reference.startswith("KRM-")
    record = stored.record
    assert (record.office_code, record.status, record.phone) == ("351504", "new",
                                                                 "+6281234567890")


def test_a_home_visit_request_sent_twice_is_stored_once(session):
    token = reports.new_submission_id()
    assert _home_visit(session, token).reference == _home_visit(session, token).reference
    assert len(session.exec(select(HomeVisitRequest).where(
        HomeVisitRequest.submission_id == token)).all()) == 1


def test_a_home_visit_for_an_unknown_desa_is_refused(session):
    with pytest.raises(ValueError):
        _home_visit(session, desa_code="9999999999")


@pytest.mark.parametrize("typed, normalised", [
    ("081234567890", "+6281234567890"),
    ("0812 3456 7890", "+6281234567890"),
    ("+62 812-3456-7890", "+6281234567890"),
    ("62812.3456.7890", "+6281234567890"),
    ("(031) 885 1234", "+62318851234"),
])
def test_phone_numbers_are_kept_as_plus_62(typed, normalised):
    assert reports.normalise_phone(typed) == normalised


@pytest.mark.parametrize("typed", ["", "12345", "+1 202 555 0100", "0812abc", "0800",
                                   "08" + "1" * 20, "٠٨١٢٣٤٥٦٧٨٩", "+620812345678"])
def test_phone_numbers_that_cannot_be_indonesian_are_refused(typed):
    with pytest.raises(reports.InvalidPhone):
        reports.normalise_phone(typed)


def test_a_reference_is_found_however_it_is_typed(session):
    stored = _report(session)
    found = reports.find_by_reference(session, MisconductReport, " " + stored.reference.lower())
    assert found.id == stored.record.id
    assert reports.find_by_reference(session, MisconductReport, "LPR-<script>") is None


def test_two_simultaneous_submissions_of_one_form_store_one_report(worker_name, tmp_path):
    """Two requests with the same token race on a database of their own (committed data)."""
    url = fresh_database(f"{worker_name}_report_race", tmp_path)
    upgrade(url)
    _read, engine = make_engines(url)  # the app's write engine: BEGIN IMMEDIATE on SQLite
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    token = reports.new_submission_id()
    barrier = threading.Barrier(2)
    references, errors = [], []

    def submit():
        try:
            with Session(engine) as session:
                barrier.wait()
                stored = _report(session, token)
                session.commit()
                references.append(stored.reference)
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with Session(engine) as session:
        count = len(session.exec(select(MisconductReport)).all())
    engine.dispose()
    assert not errors
    assert count == 1
    assert len(references) == 2 and references[0] == references[1]
