"""Receipts as documents: what the token says, how long it lives, its status, key rotation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag
from joserfc import jws
from joserfc.jwk import KeySet
from joserfc.util import urlsafe_b64decode
from sqlmodel import select

from app.adapters import signing
from app.domain import receipts
from app.models import Booking, SigningKey
from tests.support.receipt_bookings import DATA_KEY, NIK, make_booking

pytestmark = pytest.mark.db  # derived status is SQL (correlated subquery): PostgreSQL too

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
SLOT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 09:00 WIB


def issue(session, booking, kind="booking", now=NOW):
    return receipts.issue_receipt(session, booking, kind, data_key=DATA_KEY, now=now)


def claims_of(token: str) -> dict:
    return json.loads(urlsafe_b64decode(token.split(".")[1].encode()))


def test_booking_receipt_carries_exactly_the_design_claims_with_the_office_offset(session):
    booking = make_booking(session, starts_at=SLOT, name="Siti Aminah")
    receipt = issue(session, booking)
    header = json.loads(urlsafe_b64decode(receipt.token.split(".")[0].encode()))
    assert header == {"alg": "EdDSA", "kid": receipt.kid}
    assert claims_of(receipt.token) == {
        "v": 1, "d": "booking", "b": booking.code, "o": "351504",
        "s": "2026-11-24T09:00:00+07:00", "n": "Siti Aminah", "k": "0003", "t": "pemula",
        "iat": int(NOW.timestamp()),
        "exp": int((SLOT + timedelta(minutes=30) + timedelta(days=30)).timestamp()),
    }
    assert NIK not in receipt.token and NIK not in json.dumps(claims_of(receipt.token))


def test_slot_start_is_written_in_the_offices_own_zone(session):
    booking = make_booking(session, office_code="737109", starts_at=SLOT)
    assert claims_of(issue(session, booking).token)["s"] == "2026-11-24T10:00:00+08:00"


def test_recording_receipt_lives_one_year_from_issue(session):
    booking = make_booking(session, starts_at=SLOT, status="recorded")
    claims = claims_of(issue(session, booking, "recording").token)
    assert claims["d"] == "recording"
    assert claims["exp"] == int(datetime(2027, 11, 23, 3, 0, tzinfo=UTC).timestamp())


def test_long_names_are_shortened_in_the_token_to_keep_the_qr_readable(session):
    booking = make_booking(session, name="Raden Mas " + "Sastrodiwiryo " * 7)
    assert len(claims_of(issue(session, booking).token)["n"]) <= receipts.NAME_LENGTH


# joserfc notes that RFC 9864 prefers "Ed25519"; the contract (DESIGN §4) names "EdDSA".
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_token_verifies_with_a_standard_jose_library_against_the_published_keys(session):
    receipt = issue(session, make_booking(session))
    keys = KeySet.import_key_set(receipts.jwks(session, NOW))
    obj = jws.deserialize_compact(receipt.token, keys, algorithms=["EdDSA"])
    assert json.loads(obj.payload)["b"] == session.get(Booking, receipt.booking_id).code


def test_private_keys_are_sealed_and_useless_without_the_data_key(session):
    issue(session, make_booking(session))
    key = session.exec(select(SigningKey)).first()
    assert b"PRIVATE KEY" not in key.private_sealed
    assert b"PRIVATE KEY" in signing.decrypt_private(key.private_sealed, DATA_KEY, key.kid)
    with pytest.raises(InvalidTag):
        signing.decrypt_private(key.private_sealed, "another-data-key", key.kid)


@pytest.mark.parametrize(("booking_status", "expected"), [
    ("booked", "valid"), ("checked_in", "used"), ("in_capture", "used"), ("recorded", "used"),
    ("collected", "used"), ("cancelled", "cancelled"), ("moved", "superseded"),
    ("no_show", "expired"),
])
def test_booking_receipt_status_follows_the_booking(session, booking_status, expected):
    booking = make_booking(session)
    receipt = issue(session, booking)
    booking.status = booking_status
    session.add(booking)
    session.flush()
    result = receipts.verify_token(session, receipt.token, NOW + timedelta(hours=1))
    assert (result.genuine, result.status) == (True, expected)


def test_recording_receipt_is_used_only_once_the_card_is_collected(session):
    booking = make_booking(session, status="recorded")
    receipt = issue(session, booking, "recording")
    assert receipts.verify_token(session, receipt.token, NOW).status == "valid"
    booking.status, booking.collected_at = "collected", NOW + timedelta(days=20)
    session.add(booking)
    session.flush()
    result = receipts.verify_token(session, receipt.token, NOW + timedelta(days=21))
    assert (result.status, result.since) == ("used", NOW + timedelta(days=20))


def test_a_newer_receipt_of_the_same_kind_supersedes_the_older(session):
    booking = make_booking(session)
    first = issue(session, booking)
    second = issue(session, booking, now=NOW + timedelta(minutes=5))
    old = receipts.verify_token(session, first.token, NOW + timedelta(minutes=6))
    assert (old.status, old.since) == ("superseded", NOW + timedelta(minutes=5))
    assert receipts.verify_token(session, second.token, NOW).status == "valid"


def test_status_order_cancelled_before_superseded_before_used_before_expired(session):
    booking = make_booking(session)
    first = issue(session, booking)
    issue(session, booking, now=NOW + timedelta(minutes=1))
    later = NOW + timedelta(days=400)  # also past exp
    booking.status = "checked_in"
    assert receipts.verify_token(session, first.token, later).status == "superseded"
    booking.status = "cancelled"
    assert receipts.verify_token(session, first.token, later).status == "cancelled"


def test_receipt_expires_thirty_days_after_the_slot_ends(session):
    receipt = issue(session, make_booking(session, starts_at=SLOT))
    end = SLOT + timedelta(minutes=30) + timedelta(days=30)
    assert receipts.verify_token(session, receipt.token, end - timedelta(seconds=1)).status \
        == "valid"
    expired = receipts.verify_token(session, receipt.token, end)
    assert (expired.status, expired.since) == ("expired", end)


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-10],  # truncated signature
    lambda t: t.rsplit(".", 1)[0],  # no signature
    lambda t: t.split(".")[0] + "." + t.split(".")[1][:-2] + "fQ." + t.split(".")[2],
    lambda t: t + "A",
    lambda t: "",
    lambda t: "garbage",
    lambda t: "a.b.c",
    lambda t: "." * 2,
    lambda t: "x" * 100_000,
    lambda t: "ünïcødé.☃.💥",
    lambda t: t.replace(".", "/"),
])
def test_anything_but_an_issued_token_is_invalid(session, mangle):
    receipt = issue(session, make_booking(session))
    result = receipts.verify_token(session, mangle(receipt.token), NOW)
    assert (result.genuine, result.status, result.document) == (False, "invalid", {})


def test_tampered_claims_signed_by_a_foreign_key_are_invalid(session):
    receipt = issue(session, make_booking(session))
    foreign = signing.new_key_pair()
    # Same kid as ours, a believable payload, a valid signature — by a key we never had.
    forged = signing.sign(claims_of(receipt.token), receipt.kid, foreign.private_pem)
    assert receipts.verify_token(session, forged, NOW).status == "invalid"
    unknown_kid = signing.sign(claims_of(receipt.token), foreign.kid, foreign.private_pem)
    assert receipts.verify_token(session, unknown_kid, NOW).status == "invalid"


def test_rotation_signs_new_receipts_with_the_new_key_and_old_ones_still_verify(session):
    old = issue(session, make_booking(session))
    new_key = receipts.rotate_keys(session, DATA_KEY, NOW + timedelta(minutes=1))
    signs_from = NOW + timedelta(minutes=1) + receipts.PUBLISH_LEAD
    new = issue(session, make_booking(session, nik="3515045203070003"), now=signs_from)
    assert new.kid == new_key.kid != old.kid
    later = signs_from + timedelta(minutes=1)
    assert receipts.verify_token(session, old.token, later).status == "valid"
    published = {k["kid"] for k in receipts.jwks(session, later)["keys"]}
    assert {old.kid, new.kid} <= published


def test_a_rotated_key_is_published_before_it_signs(session):
    """Issue 11: verifiers and workers keep the key set for minutes; a receipt signed by a key
    they have not fetched yet would not verify there. The old key signs until the new one has
    been published PUBLISH_LEAD long."""
    old = issue(session, make_booking(session))
    new_key = receipts.rotate_keys(session, DATA_KEY, NOW)
    kids = lambda when: {k["kid"] for k in receipts.jwks(session, when)["keys"]}  # noqa: E731
    assert new_key.kid in kids(NOW)  # published at once
    just_before = NOW + receipts.PUBLISH_LEAD - timedelta(seconds=1)
    meanwhile = issue(session, make_booking(session, nik="3515045203070003"), now=just_before)
    assert meanwhile.kid == old.kid != new_key.kid
    assert {old.kid, new_key.kid} <= kids(just_before)


def test_a_retired_key_leaves_the_key_set_once_its_last_document_expired(session):
    old = issue(session, make_booking(session, starts_at=SLOT))
    receipts.rotate_keys(session, DATA_KEY, NOW)
    last_expiry = SLOT + timedelta(minutes=30, days=30)
    kids = lambda when: {k["kid"] for k in receipts.jwks(session, when)["keys"]}  # noqa: E731
    assert old.kid in kids(last_expiry - timedelta(seconds=1))
    assert old.kid not in kids(last_expiry)
    # The server still knows it: an old receipt reads "expired", not "not genuine".
    assert receipts.verify_token(session, old.token, last_expiry).status == "expired"


def test_key_set_publishes_public_parts_only(session):
    issue(session, make_booking(session))
    for key in receipts.jwks(session, NOW)["keys"]:
        assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
        assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")


def test_receipt_urls_follow_the_contract(session):
    receipt = issue(session, make_booking(session))
    receipt_url, verify_url = receipts.receipt_urls(receipt, "https://rekam.example.id")
    assert verify_url == f"https://rekam.example.id/v/{receipt.token}"
    assert receipt_url == verify_url + "/document"


def test_a_shortened_name_ends_in_an_ellipsis_and_a_short_one_is_kept(session):
    long = "Raden Mas " + "Sastrodiwiryo " * 7
    claim = claims_of(issue(session, make_booking(session, name=long)).token)["n"]
    assert claim.endswith("…") and len(claim) == receipts.NAME_LENGTH
    assert long.startswith(claim[:-1])
    assert receipts.printed_name("Siti  Aminah ") == "Siti Aminah"
    assert receipts.printed_name("A" * receipts.NAME_LENGTH) == "A" * receipts.NAME_LENGTH
