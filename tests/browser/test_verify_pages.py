"""The verification page in every state and the receipt page, in a real browser: zero axe
violations in Indonesian and English, at 320 px, with JavaScript on and off."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible
from tests.support.receipt_bookings import issue_in_live_database

NOW = datetime.now(UTC)
STATES = {
    "valid": {},
    "cancelled": {"status": "cancelled", "set": {"cancelled_at": NOW - timedelta(hours=2)}},
    "superseded": {"reissue": True},
    "used": {"today": True, "status": "checked_in", "set": {"checked_in_at": NOW}},
    "expired": {"days_ago": 45},
    "recording": {"kind": "recording", "today": True, "status": "recorded",
                  "set": {"recorded_at": NOW}},
}
WORDS = {"id": {"valid": "ASLI", "invalid": "TIDAK ASLI"},
         "en": {"valid": "GENUINE", "invalid": "NOT GENUINE"}}
NO_LONGER = {"id": "ASLI, TETAPI TIDAK BERLAKU LAGI", "en": "GENUINE, BUT NO LONGER VALID"}
CANCELLED = {"id": "DIBATALKAN", "en": "CANCELLED"}


@pytest.fixture(scope="module")
def tokens(server_env, live_server):
    made = issue_in_live_database(server_env, STATES)
    made["invalid"] = made["valid"][:-8] + "AAAAAAAA"
    return made


@pytest.mark.parametrize("width", PHONE)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_verification_state_is_accessible_and_says_it_in_words(new_page, tokens, lang,
                                                                     width):
    page = new_page(width=width)
    for state, token in tokens.items():
        page.goto(f"/v/{token}?lang={lang}")
        word = page.locator(".verdict-word").inner_text()
        status = page.locator(".verdict-reason").get_attribute("data-status")
        expected_status = "valid" if state == "recording" else state
        assert status == expected_status, state
        if status in WORDS[lang]:
            assert word == WORDS[lang][status]
        elif status == "cancelled":  # issue 10: a cancelled receipt leads with that
            assert word == CANCELLED[lang]
        else:
            assert word == NO_LONGER[lang]
        assert_accessible(page)


@pytest.mark.parametrize("width", PHONE)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_receipt_page_is_accessible(new_page, tokens, lang, width):
    page = new_page(width=width)
    for state in ("valid", "recording", "cancelled"):
        page.goto(f"/v/{tokens[state]}/receipt?lang={lang}")
        assert page.locator(".receipt-qr img").get_attribute("alt")
        assert_accessible(page)


def test_verification_works_without_javascript(new_page, tokens):
    page = new_page(width=320, javascript=False)
    page.goto(f"/v/{tokens['valid']}")
    assert page.locator(".verdict-word").inner_text() == "ASLI"
    link = page.get_by_role("link", name="Unduh dokumen asli (PDF, A5)")
    document = page.request.get(link.get_attribute("href"))
    assert document.headers["content-type"] == "application/pdf"
    assert 'filename="bukti-pendaftaran-' in document.headers["content-disposition"]
    digest = page.locator("#document-sha256").inner_text()
    assert hashlib.sha256(document.body()).hexdigest() == digest


@pytest.fixture(scope="module")
def deleted_token(server_env, live_server):
    """A receipt whose booking ended long ago, emptied by retention in the server's database."""
    from app import create_app
    from app.db import database
    from app.domain import retention

    token = issue_in_live_database(server_env, {"deleted": {
        "status": "cancelled", "set": {"cancelled_at": NOW - timedelta(days=100)}}})["deleted"]
    app = create_app({"INSTANCE_PATH": server_env["INSTANCE_PATH"],
                      "DATABASE_URL": server_env["DATABASE_URL"]})
    with app.app_context(), database().session(write=True) as session:
        assert retention.purge_due(session)["receipts"] >= 1
    app.extensions["rekam_db"].dispose()
    return token


@pytest.mark.parametrize("width", PHONE)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_after_retention_the_verification_and_the_gone_document_are_accessible(
        new_page, deleted_token, lang, width):
    page = new_page(width=width)
    page.goto(f"/v/{deleted_token}?lang={lang}")
    assert page.locator(".verdict-word").inner_text() == CANCELLED[lang]  # a cancelled booking, emptied later
    expect(page.locator("#details-deleted")).to_be_visible()
    assert_accessible(page)
    response = page.goto(f"/v/{deleted_token}/document?lang={lang}")
    assert response.status == 410
    assert_accessible(page)
