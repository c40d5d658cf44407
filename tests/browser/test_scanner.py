"""The officer's scanner in a real browser with the network cut off (Playwright offline mode):
it reads the QR from a fake camera or a photo, verifies the signature on the device against the
key set it kept, and says genuine / not genuine — and that the server could not be asked."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest
from joserfc.util import urlsafe_b64decode, urlsafe_b64encode
from PIL import Image
from playwright.sync_api import expect

from app.adapters.qr import qr_png
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, assert_accessible
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import issue_in_live_database

FRAME = (640, 480)


def write_y4m(png: Path, target: Path, frames: int = 10) -> Path:
    """A still picture as a YUV4MPEG2 clip (I420) for Chromium's fake camera."""
    image = Image.open(png).convert("L")
    image.thumbnail((FRAME[1] - 20, FRAME[1] - 20))
    canvas = Image.new("L", FRAME, 255)
    canvas.paste(image, ((FRAME[0] - image.width) // 2, (FRAME[1] - image.height) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * (FRAME[0] * FRAME[1] // 4)
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{FRAME[0]} H{FRAME[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return target


TYPED_NIK = fresh_nik()  # the holder's NIK, typed from the KK at check-in


def forged(token: str) -> str:
    """Same header and signature, a different appointment: the tampering a scanner must catch."""
    header, payload, signature = token.split(".")
    claims = json.loads(urlsafe_b64decode(payload.encode()))
    claims["s"] = claims["s"].replace("T08:", "T10:")
    claims["n"] = "Orang Lain"
    body = urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode()
    return f"{header}.{body}.{signature}"


@pytest.fixture(scope="module")
def receipts_on_paper(server_env, live_server, tmp_path_factory):
    """A genuine receipt printed and scanned at 150 dpi, and a QR of a forged one."""
    folder = tmp_path_factory.mktemp("scanner")
    tokens = issue_in_live_database(server_env, {
        "camera": {"today": True}, "photo": {"today": True},
        "typed": {"today": True, "nik": TYPED_NIK}})
    pdf = folder / "receipt.pdf"
    with urllib.request.urlopen(f"{live_server}/v/{tokens['photo']}/document") as response:
        pdf.write_bytes(response.read())
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf),
                    str(folder / "receipt")], check=True)
    fake = folder / "forged.png"
    fake.write_bytes(qr_png(f"{live_server}/v/{forged(tokens['photo'])}"))
    camera = folder / "camera.png"
    camera.write_bytes(qr_png(f"{live_server}/v/{tokens['camera']}"))
    return {"tokens": tokens, "photo": folder / "receipt.png", "forged": fake,
            "camera_clip": write_y4m(camera, folder / "camera.y4m")}


@pytest.fixture(scope="module")
def camera_browser(browser, receipts_on_paper):
    """A second Chromium (same Playwright) whose camera plays the receipt's QR."""
    clip = receipts_on_paper["camera_clip"]
    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}"])
    yield camera
    camera.close()


def open_scanner_then_go_offline(page, staff_login):
    staff_login(page, "officer")
    page.goto("/officer/scan")
    page.evaluate("window.rekamScanReady")
    page.evaluate("navigator.serviceWorker.ready")
    page.context.set_offline(True)
    page.reload()  # served by the scanner's service worker now
    page.evaluate("window.rekamScanReady")
    assert page.locator("#scan-network").inner_text().startswith("Tanpa jaringan")


def test_camera_reads_a_receipt_and_it_verifies_with_the_network_cut_off(
        camera_browser, live_server, staff_login, receipts_on_paper):
    context = camera_browser.new_context(base_url=live_server, permissions=["camera"],
                                         viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_scanner_then_go_offline(page, staff_login)
    page.click("#scan-camera-toggle")
    verdict = page.locator("#scan-local .verdict-word")
    verdict.wait_for(timeout=20_000)
    assert verdict.inner_text() == "ASLI"
    assert "Diperiksa di perangkat ini" in page.locator("#scan-local").text_content()
    assert "Perekaman pertama" in page.locator("#scan-local").text_content()
    assert "Server tidak terjangkau" in page.locator("#scan-server").text_content()
    code = receipts_on_paper["tokens"]["camera"]
    assert page.locator("#code").input_value() == f"{live_server}/v/{code}"
    context.close()


def test_photo_of_a_printed_receipt_is_genuine_and_a_forged_one_is_not_offline(
        new_page, staff_login, receipts_on_paper):
    page = new_page()
    open_scanner_then_go_offline(page, staff_login)
    page.set_input_files("#scan-file", str(receipts_on_paper["photo"]))
    page.locator("#scan-local .verdict-word").wait_for(timeout=20_000)
    assert page.locator("#scan-local .verdict-word").inner_text() == "ASLI"
    expect(page.locator("#scan-local .verdict-bad")).to_have_count(0)

    page.set_input_files("#scan-file", str(receipts_on_paper["forged"]))
    page.locator("#scan-local .verdict-bad").wait_for(timeout=20_000)
    assert page.locator("#scan-local .verdict-word").inner_text() == "TIDAK ASLI"
    assert "dipalsukan" in page.locator("#scan-local .verdict-reason").inner_text()


def test_online_wedge_scan_shows_both_answers_then_checks_in(new_page, staff_login,
                                                               receipts_on_paper, live_server):
    page = new_page()
    staff_login(page, "officer")
    page.goto("/officer/scan")
    page.evaluate("window.rekamScanReady")
    token = receipts_on_paper["tokens"]["typed"]
    # A keyboard-wedge scanner types the QR's content and presses Enter.
    page.fill("#code", f"{live_server}/v/{token}")
    page.press("#code", "Enter")
    page.locator("#scan-server .verdict-word").wait_for()
    assert page.locator("#scan-local .verdict-word").inner_text() == "ASLI"
    assert page.locator("#scan-server .verdict-word").inner_text() == "ASLI"
    assert "Status terkini dari server Rekam" in page.locator("#scan-server").text_content()
    page.fill("#nikcheck-nik", "3515041203070003")
    page.click("text=Cocokkan NIK")
    expect(page.locator(".nik-no-match")).to_be_visible()  # not this booking's NIK
    page.fill("#code", token)
    with page.expect_response(lambda r: r.url.endswith("/officer/scan")
                              and r.request.method == "POST"):
        page.press("#code", "Enter")
    page.locator("#scan-server button:has-text('Catat hadir')").click()
    expect(page.locator("#checkin-nik-error")).to_be_visible()  # a receipt alone: no check-in
    page.fill("#checkin-nik", TYPED_NIK)
    page.locator("#scan-server button:has-text('Catat hadir')").click()
    assert "sudah dicatat hadir" in page.locator(".notice-ok").inner_text()


@pytest.mark.parametrize("width", PHONE)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_scanner_page_with_a_result_is_accessible(new_page, staff_login, receipts_on_paper,
                                                  lang, width):
    page = new_page(width=width)
    staff_login(page, "officer")
    page.goto(f"/officer/scan?lang={lang}")
    assert_accessible(page)
    page.evaluate("window.rekamScanReady")
    page.fill("#code", receipts_on_paper["tokens"]["photo"])
    page.press("#code", "Enter")
    page.locator("#scan-server .verdict-word").wait_for()
    assert_accessible(page)


def test_scanner_works_without_javascript(new_page, staff_login, receipts_on_paper):
    page = new_page(width=320, javascript=False)
    staff_login(page, "officer")
    page.goto("/officer/scan")
    assert page.locator("#scan-camera").is_hidden()
    page.fill("#code", receipts_on_paper["tokens"]["photo"])
    page.click("#scan-form button[type=submit]")
    assert page.locator("#scan-server .verdict-word").inner_text() == "ASLI"


def test_browsers_without_webcrypto_ed25519_fall_back_to_the_vendored_verifier(
        new_page, staff_login, receipts_on_paper):
    page = new_page()
    # As on an older phone: WebCrypto knows no Ed25519.
    page.add_init_script("""
        const original = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, data, algorithm, ...rest) =>
          (algorithm && algorithm.name === "Ed25519")
            ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError"))
            : original(format, data, algorithm, ...rest);
    """)
    open_scanner_then_go_offline(page, staff_login)
    page.set_input_files("#scan-file", str(receipts_on_paper["photo"]))
    page.locator("#scan-local .verdict-word").wait_for(timeout=20_000)
    assert page.locator("#scan-local .verdict-word").inner_text() == "ASLI"
    page.set_input_files("#scan-file", str(receipts_on_paper["forged"]))
    page.locator("#scan-local .verdict-bad").wait_for(timeout=20_000)
