"""Verification from outside (DESIGN §4), checked with tools that are not Rekam's own: poppler
rasterises the PDF, zxing-cpp reads the QR, joserfc checks the token against the published key
set, pyHanko's command line checks the PAdES signature."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import zxingcpp
from joserfc import jws
from joserfc.jwk import KeySet
from joserfc.util import urlsafe_b64decode, urlsafe_b64encode
from PIL import Image

from app.adapters import signing
from app.domain import receipts
from app.formatting import display_code
from app.models import Receipt, utcnow
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import DATA_KEY, NIK, make_booking

BASE = "http://rekam.test"
PYHANKO = Path(sys.executable).with_name("pyhanko")


@pytest.fixture
def issued(session):
    """issued(**booking_fields) → a committed booking and its fresh booking receipt."""

    def make(kind="booking", **fields):
        booking = make_booking(session, **fields)
        receipt = receipts.issue_receipt(session, booking, kind, data_key=DATA_KEY)
        session.commit()
        return booking, receipt

    return make


def path_of(url: str) -> str:
    assert url.startswith(BASE + "/")
    return urlsplit(url).path


def qr_texts(pdf: bytes, tmp_path: Path, dpi: int = 150) -> list[str]:
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(tmp_path / "r.pdf"),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    return [b.text for png in pages for b in zxingcpp.read_barcodes(Image.open(png))]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "t.pdf").write_bytes(pdf)
    return subprocess.run(["pdftotext", str(tmp_path / "t.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_printed_qr_opens_the_verify_url_and_its_token_verifies_with_the_published_keys(
        client, issued, tmp_path):
    booking, receipt = issued(name="Siti Aminah")
    receipt_url, verify_url = receipts.receipt_urls(receipt, BASE)
    download = client.get(path_of(receipt_url))
    assert download.status_code == 200 and download.mimetype == "application/pdf"

    assert qr_texts(download.data, tmp_path) == [verify_url]
    token = verify_url.rsplit("/v/", 1)[1]
    key_set = client.get("/.well-known/jwks.json").json
    verified = jws.deserialize_compact(token, KeySet.import_key_set(key_set),
                                       algorithms=["EdDSA"])
    claims = json.loads(verified.payload)
    assert verified.protected["kid"] in {k["kid"] for k in key_set["keys"]}
    assert set(claims) == {"v", "d", "b", "o", "s", "n", "k", "t", "iat", "exp"}
    assert (claims["d"], claims["b"], claims["k"]) == ("booking", booking.code, "0003")

    text = pdf_text(download.data, tmp_path)
    assert display_code(booking.code) in text and "Siti Aminah" in text
    assert "GRATIS" in text and "Kartu Keluarga" in text and "WIB" in text
    for leaked in (text, receipt_url, verify_url, token):
        assert NIK not in leaked.replace(" ", "")


def test_every_download_returns_the_bytes_first_issued_and_the_page_shows_their_hash(
        client, page, issued):
    _booking, receipt = issued()
    first = client.get(f"/v/{receipt.token}/document")
    again = client.get(f"/v/{receipt.token}/document")
    assert first.data == again.data
    digest = hashlib.sha256(first.data).hexdigest()
    assert first.headers["ETag"] == f'"{digest}"'
    assert "private" in first.headers["Cache-Control"]
    shown = page(client, f"/v/{receipt.token}")
    assert shown.select_one("#document-sha256").get_text(strip=True) == digest
    assert f"/v/{receipt.token}/document?unduh=1" in shown.links()
    assert client.get(f"/v/{receipt.token}/document",
                      headers={"If-None-Match": f'"{digest}"'}).status_code == 304


def test_verification_page_renders_the_document_first_when_nobody_downloaded_it(
        client, page, issued):
    _booking, receipt = issued()
    shown = page(client, f"/v/{receipt.token}")
    digest = shown.select_one("#document-sha256").get_text(strip=True)
    assert hashlib.sha256(client.get(f"/v/{receipt.token}/document").data).hexdigest() == digest


def test_issued_pdf_carries_an_intact_pades_signature_by_the_office_certificate(
        app, client, issued, tmp_path):
    _booking, receipt = issued()
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(client.get(f"/v/{receipt.token}/document").data)
    ca = Path(app.instance_path) / "pades" / "ca.pem"
    result = subprocess.run([str(PYHANKO), "sign", "validate", "--trust", str(ca),
                             "--trust-replace", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ":INTACT:TRUSTED,UNTOUCHED" in result.stdout


def test_thermal_print_carries_the_same_token(client, issued, tmp_path):
    _booking, receipt = issued()
    thermal = client.get(f"/v/{receipt.token}/document-80mm")
    assert thermal.mimetype == "application/pdf"
    assert qr_texts(thermal.data, tmp_path) == [f"{BASE}/v/{receipt.token}"]


def test_thermal_print_is_rendered_once_and_kept_byte_identical(client, session, issued):
    _booking, receipt = issued()
    first = client.get(f"/v/{receipt.token}/document-80mm")
    stored = session.get(Receipt, receipt.id, populate_existing=True)
    assert stored.pdf_80mm == first.data  # kept, not rendered per request
    assert stored.sha256_80mm == hashlib.sha256(first.data).hexdigest()
    again = client.get(f"/v/{receipt.token}/document-80mm")
    assert again.data == first.data  # a PAdES signature differs on every rendering
    assert first.headers["ETag"] == f'"{stored.sha256_80mm}"'
    assert client.get(f"/v/{receipt.token}/document-80mm",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert stored.pdf is None  # the A5 is still rendered only when it is asked for


def test_verify_api_answers_valid_for_a_fresh_receipt(client, issued):
    booking, receipt = issued()
    answer = client.get(f"/api/v1/verify/{receipt.token}")
    assert answer.status_code == 200
    assert answer.json["genuine"] is True and answer.json["status"] == "valid"
    assert answer.json["document"]["b"] == booking.code
    assert answer.headers["Cache-Control"] == "no-store"


def _forged(token: str) -> dict[str, str]:
    header, payload, signature = token.split(".")
    claims = json.loads(urlsafe_b64decode(payload.encode()))
    tampered = dict(claims, s="2026-11-25T09:00:00+07:00")
    tampered_payload = urlsafe_b64encode(
        json.dumps(tampered, separators=(",", ":")).encode()).decode()
    foreign = signing.new_key_pair()
    return {
        "tampered payload": f"{header}.{tampered_payload}.{signature}",
        "truncated": token[: len(token) // 2],
        "foreign key": signing.sign(claims, foreign.kid, foreign.private_pem),
        "foreign key, our kid": signing.sign(claims, token_kid(token), foreign.private_pem),
        "garbage": "hello-world",
    }


def token_kid(token: str) -> str:
    return signing.token_kid(token)


def test_verify_api_answers_invalid_with_200_for_forged_and_broken_tokens(client, issued):
    _booking, receipt = issued()
    for label, token in _forged(receipt.token).items():
        answer = client.get(f"/api/v1/verify/{quote(token, safe='')}")
        assert answer.status_code == 200, label
        assert answer.json == {"genuine": False, "status": "invalid", "document": {}}, label


@pytest.mark.parametrize(("change", "status"), [
    ({"status": "cancelled"}, "cancelled"), ({"status": "moved"}, "superseded"),
    ({"status": "checked_in"}, "used"),
])
def test_verify_api_follows_the_booking(client, session, issued, change, status):
    booking, receipt = issued()
    for name, value in change.items():
        setattr(booking, name, value)
    session.add(booking)
    session.commit()
    assert client.get(f"/api/v1/verify/{receipt.token}").json["status"] == status


def _fuzz_inputs() -> list[str]:
    rng = random.Random(6)
    alphabet = "abcXYZ019-_.~%/?#&=+ ☃💥ñ\x7f"
    inputs = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
              for _ in range(60)]
    inputs += [bytes(rng.randrange(256) for _ in range(40)).decode("latin-1")
               for _ in range(20)]
    inputs += ["a" * 5000, "." * 300, "eyJ" * 700, "%00", "..", "../../etc/passwd",
               "eyJhbGciOiJub25lIn0.eyJ2IjoxfQ.", "e30.e30.e30", "W10.W10.W10", "bnVsbA.bnVsbA.x"]
    return inputs


def test_no_input_makes_the_verify_api_or_page_fail(client):
    for raw in _fuzz_inputs():
        encoded = quote(raw, safe="")
        # Doubled slashes are merged by a redirect first (Werkzeug); the answer is still 200.
        api = client.get(f"/api/v1/verify/{encoded}", follow_redirects=True)
        assert api.status_code == 200, (raw, api.status_code)
        assert api.json["genuine"] is False and api.json["status"] == "invalid"
        html = client.get(f"/v/{encoded}", follow_redirects=True)
        assert html.status_code == 200, (raw, html.status_code)
        assert "TIDAK ASLI" in html.get_data(as_text=True)


def test_page_says_not_genuine_in_large_words_for_a_forged_token(client, page, issued):
    _booking, receipt = issued()
    for token in _forged(receipt.token).values():
        shown = page(client, f"/v/{quote(token, safe='')}")
        assert shown.h1 == "TIDAK ASLI"
        assert shown.select_one(".verdict-bad") is not None
        assert "#document-sha256" not in shown.html
        assert client.get(f"/v/{quote(token, safe='')}/document").status_code == 404


@pytest.mark.parametrize(("change", "word", "reason"), [
    ({}, "ASLI", "masih berlaku"),
    ({"status": "cancelled"}, "DIBATALKAN", "dibatalkan"),
    ({"status": "moved"}, "ASLI, TETAPI TIDAK BERLAKU LAGI", "diganti"),
    ({"status": "checked_in"}, "ASLI, TETAPI TIDAK BERLAKU LAGI", "dicatat hadir"),
])
def test_page_shows_genuine_and_whether_it_is_still_valid(client, page, session, issued,
                                                         change, word, reason):
    booking, receipt = issued()
    for name, value in change.items():
        setattr(booking, name, value)
    session.add(booking)
    session.commit()
    shown = page(client, f"/v/{receipt.token}")
    assert shown.select_one(".verdict-word").get_text(strip=True) == word
    assert reason in shown.select_one(".verdict-reason").get_text(" ", strip=True)
    assert display_code(booking.code) in shown.text
    assert NIK not in shown.html and "0003" in shown.text


def test_page_speaks_english_when_asked(client, page, issued):
    _booking, receipt = issued()
    shown = page(client, f"/v/{receipt.token}?lang=en")
    assert shown.select_one(".verdict-word").get_text(strip=True) == "GENUINE"
    assert "First recording" in shown.text


def test_receipt_page_gives_the_qr_a_text_alternative_with_the_code_and_a_verify_link(
        client, page, issued):
    booking, receipt = issued()
    shown = page(client, f"/v/{receipt.token}/receipt")
    qr = shown.select_one(".receipt-qr img")
    assert display_code(booking.code) in qr["alt"]
    assert qr["src"].startswith("data:image/png;base64,")
    assert f"/v/{receipt.token}" in shown.links()
    assert "Kartu Keluarga (KK)" in shown.text and "Gratis" in shown.text


def test_key_set_is_cacheable_and_answers_not_modified(client, issued):
    issued()
    first = client.get("/.well-known/jwks.json")
    assert first.mimetype == "application/jwk-set+json"
    assert "public" in first.headers["Cache-Control"] and first.headers["ETag"]
    again = client.get("/.well-known/jwks.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert all("d" not in key for key in first.json["keys"])


def test_rotated_keys_new_receipts_carry_the_new_kid_and_old_ones_still_verify(
        client, runner, issued, session):
    _booking, old = issued()
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    # Published at once; it signs once every cached copy of the key set holds it (issue 11).
    kids = {k["kid"] for k in client.get("/.well-known/jwks.json").json["keys"]}
    _booking2, meanwhile = issued(nik="3515045203070003")
    assert meanwhile.kid == old.kid
    new = receipts.issue_receipt(session, make_booking(session, nik=fresh_nik()),
                                 data_key=DATA_KEY,
                                 now=utcnow() + receipts.PUBLISH_LEAD + timedelta(seconds=1))
    assert new.kid != old.kid and new.kid in result.output
    assert {old.kid, new.kid} <= kids
    assert client.get(f"/api/v1/verify/{old.token}").json["status"] == "valid"


@pytest.mark.app_config(RATE_LIMITS="on")
def test_verify_api_is_rate_limited_per_address(client):
    answers = [client.get("/api/v1/verify/x.y.z").status_code for _ in range(125)]
    assert answers[:120] == [200] * 120
    assert answers[-1] == 429


def test_booking_through_the_api_gives_urls_that_verify_until_it_is_cancelled(
        client, api_token, tmp_path):
    headers = api_token("kiosk")
    slots = client.get("/api/v1/offices/351504/slots").json
    answer = client.post("/api/v1/bookings", headers=headers, json={
        "nik": "3515045203070003", "name": "Siti Aminah", "service": "pemula",
        "slot_id": slots[-1]["id"]})
    assert answer.status_code == 201, answer.json
    receipt_url, verify_url = answer.json["receipt_url"], answer.json["verify_url"]
    assert receipt_url == verify_url + "/document"
    token = verify_url.rsplit("/v/", 1)[1]
    assert qr_texts(client.get(path_of(receipt_url)).data, tmp_path) == [verify_url]
    assert client.get(f"/api/v1/verify/{token}").json["status"] == "valid"
    code = answer.json["code"]
    assert client.post(f"/api/v1/bookings/{code}/cancel", headers=headers).status_code == 200
    cancelled = client.get(f"/api/v1/verify/{token}").json
    assert (cancelled["genuine"], cancelled["status"], cancelled["document"]["b"]) == (
        True, "cancelled", code)


# --- issue 10 (H) ------------------------------------------------------------------------------


def test_a_cancelled_receipt_leads_with_cancelled_and_says_genuine_below(client, page, session,
                                                                        issued):
    booking, receipt = issued()
    booking.status = "cancelled"
    session.add(booking)
    session.commit()
    shown = page(client, f"/v/{receipt.token}")
    heading = shown.select_one(".verdict-heading").get_text(" ", strip=True)
    assert heading.startswith("DIBATALKAN") and "ASLI" not in heading.split()[0]
    assert "Asli, dikeluarkan oleh Rekam" in shown.select_one(".verdict-kind").get_text()
    assert shown.soup.title.get_text().startswith("DIBATALKAN")


def test_unduh_downloads_while_the_qr_document_stays_viewable(client, page, issued):
    _booking, receipt = issued()
    viewed = client.get(f"/v/{receipt.token}/document")
    saved = client.get(f"/v/{receipt.token}/document?unduh=1")
    assert viewed.headers["Content-Disposition"].startswith("inline;")
    assert saved.headers["Content-Disposition"].startswith("attachment;")
    assert saved.data == viewed.data
    shown = page(client, f"/v/{receipt.token}")
    assert f"/v/{receipt.token}/document?unduh=1" in shown.links()
