"""Receipts are rendered outside any request: the job (and the CLI command) that pre-render one
keep exactly the bytes a later download hands out (DESIGN §4)."""

import hashlib

import pytest
from flask import has_request_context

from app import jobs
from app.domain import receipts
from app.models import Receipt
from tests.support.receipt_bookings import DATA_KEY, make_booking

pytestmark = pytest.mark.db


def _issued(session) -> Receipt:
    booking = make_booking(session)
    receipt = receipts.issue_receipt(session, booking, "booking", data_key=DATA_KEY)
    session.commit()
    assert receipt.pdf is None  # issuing signs the token only; nothing is rendered yet
    return receipt


def test_the_prerender_job_renders_and_keeps_a_receipt_without_a_request(app, session, client):
    receipt = _issued(session)
    with app.app_context():
        assert not has_request_context()
        sha256 = jobs.prerender.call_local(receipt.id)
    kept = session.get(Receipt, receipt.id, populate_existing=True)
    assert kept.pdf.startswith(b"%PDF") and b"/ByteRange" in kept.pdf  # rendered and signed
    assert sha256 == kept.sha256 == hashlib.sha256(kept.pdf).hexdigest()
    download = client.get(f"/v/{receipt.token}/document")
    assert download.status_code == 200 and download.data == kept.pdf  # the kept bytes


def test_render_receipt_command_prerenders_by_booking_code(app, session, runner):
    receipt = _issued(session)
    code = session.get(receipts.Booking, receipt.booking_id).code
    result = runner.invoke(args=["render-receipt", code])
    assert result.exit_code == 0, result.output
    kept = session.get(Receipt, receipt.id, populate_existing=True)
    assert kept.sha256 in result.output and kept.pdf.startswith(b"%PDF")
    assert runner.invoke(args=["render-receipt", "ZZZZZZZZ"]).exit_code == 2


def test_nothing_is_rendered_for_a_receipt_that_does_not_exist(app):
    with app.app_context():
        assert jobs.render_receipt(2**31 - 1) is None
