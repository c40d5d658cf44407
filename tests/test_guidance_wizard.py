"""The requirement wizard: choose a service or answer plain questions, then see what to bring."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.support.pages import check_html

SERVICES = ("pemula", "rusak", "hilang", "perubahan", "pindah")
# What every checklist must name, per language (issue 4 acceptance).
MUST_BRING = {
    "pemula": {"id": ["Kartu Keluarga (KK)"], "en": ["Family card (Kartu Keluarga, KK)"]},
    "hilang": {"id": ["Kartu Keluarga (KK)", "Surat keterangan kehilangan dari polisi"],
               "en": ["Family card (Kartu Keluarga, KK)", "Police letter of loss"]},
    "rusak": {"id": ["Kartu Keluarga (KK)", "e-KTP yang rusak"],
              "en": ["Family card (Kartu Keluarga, KK)", "The damaged e-KTP"]},
    "pindah": {"id": ["Kartu Keluarga (KK)", "Surat Keterangan Pindah (SKPWNI)"],
               "en": ["Family card (Kartu Keluarga, KK)",
                      "Certificate of moving (Surat Keterangan Pindah, SKPWNI)"]},
    "perubahan": {"id": ["Kartu Keluarga (KK)", "Bukti perubahan data", "e-KTP lama"],
                  "en": ["Family card (Kartu Keluarga, KK)", "Evidence of the change",
                         "Your old e-KTP"]},
}
FREE_WORD = {"id": "gratis", "en": "free"}


def _bring(shown) -> list[str]:
    return [h.find(string=True, recursive=False).strip() for h in shown.select(".doc-item h3")]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("service", SERVICES)
def test_each_checklist_lists_what_to_bring_says_free_and_links_to_booking(
        client, page, service, lang):
    shown = page(client, f"/syarat/{service}?lang={lang}")
    assert shown.soup.html["lang"] == lang
    bring = _bring(shown)
    for document in MUST_BRING[service][lang]:
        assert document in bring
    free = shown.select_one("main .free-panel")
    assert FREE_WORD[lang] in free.get_text(" ").lower()
    assert free.select_one("a[href='/lapor']") is not None
    assert f"/booking?service={service}" in shown.links()
    assert f"/syarat/{service}.pdf" in shown.links()


def test_every_missing_document_says_where_to_get_it(client, page):
    shown = page(client, "/syarat/hilang")
    letter = shown.select_one("#doc-police_letter")
    assert "Polsek" in letter.select_one(".doc-where").get_text()


def test_requirements_page_offers_the_five_services_and_the_not_sure_path(client, page):
    shown = page(client, "/syarat")
    assert shown.h1 == "Apa yang saya perlukan?"
    for service in SERVICES:
        assert f"/syarat/{service}" in shown.links()
    assert "/syarat/tidak-yakin" in shown.links()
    assert "/bantuan" in shown.links() and "/lapor" in shown.links()
    assert "gratis" in shown.select_one("main .free-panel").get_text().lower()


def _answer_until_done(client, page, answers: list[str]):
    """Walk the "not sure" path through the real pages, submitting each form as a browser
    would (its hidden fields plus the chosen radio), and return the last response."""
    url = "/syarat/tidak-yakin"
    seen_steps = []
    for answer in answers:
        shown = page(client, url)
        form = shown.select_one("main form.question-form")
        radio = form.select_one(f"input[type=radio][value={answer}]")
        assert radio is not None, f"no answer {answer!r} on {url}"
        seen_steps.append(shown.select_one(".step-indicator").get_text(strip=True))
        fields = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
        fields.append((radio["name"], answer))
        query = "&".join(f"{k}={v}" for k, v in fields)
        url = f"{form['action']}?{query}"
    return client.get(url), seen_steps


@pytest.mark.parametrize("answers, service", [
    (["no"], "pemula"),
    (["yes", "yes", "lost"], "hilang"),
    (["yes", "yes", "damaged"], "rusak"),
    (["yes", "no", "yes"], "pindah"),
    (["yes", "no", "no", "yes"], "perubahan"),
])
def test_the_not_sure_path_reaches_each_service(client, page, answers, service):
    response, steps = _answer_until_done(client, page, answers)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/syarat/{service}"
    assert steps[0] == "Langkah 1 dari 4"
    page(client, response.headers["Location"])


def test_not_sure_path_ends_with_no_new_card_when_nothing_changed(client, page):
    response, steps = _answer_until_done(client, page, ["yes", "no", "no", "no"])
    assert steps == ["Langkah 1 dari 4", "Langkah 2 dari 4", "Langkah 3 dari 4",
                     "Langkah 4 dari 4"]
    shown = check_html(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "berlaku seumur hidup" in shown.get_text()


def test_not_sure_back_link_returns_to_the_previous_question(client, page):
    shown = page(client, "/syarat/tidak-yakin?has_ektp=yes&lost_or_damaged=no")
    assert "Apakah Anda pindah ke sini" in shown.select_one("legend").get_text()
    back = shown.select_one(".guide-back a")["href"]
    previous = page(client, back)
    assert "hilang atau rusak" in previous.select_one("legend").get_text()
    assert dict(parse_qsl(urlsplit(back).query)) == {"has_ektp": "yes"}
    first_back = page(client, "/syarat/tidak-yakin").select_one(".guide-back a")["href"]
    assert first_back == "/syarat"


def test_not_sure_question_sent_without_an_answer_asks_again_with_an_error(client, page):
    shown = page(client, "/syarat/tidak-yakin?has_ektp=yes&q=lost_or_damaged", status=422)
    assert shown.soup.title.get_text().startswith("Kesalahan:")
    assert "Pilih salah satu jawaban." in shown.select_one(".error-summary").get_text()


def test_not_sure_ignores_made_up_answers(client, page):
    shown = page(client, "/syarat/tidak-yakin?has_ektp=maybe&which=<script>")
    assert "Apakah Anda sudah punya e-KTP?" in shown.select_one("legend").get_text()
    assert "<script>" not in shown.html


def test_not_sure_questions_are_in_english_on_request(client, page):
    shown = page(client, "/syarat/tidak-yakin?lang=en")
    assert shown.select_one("legend").get_text(strip=True) == "Do you already have an e-KTP?"
    assert shown.select_one(".step-indicator").get_text(strip=True) == "Step 1 of 4"


def test_a_first_recording_asks_age_then_marriage_one_question_at_a_time(client, page):
    start = page(client, "/syarat/pemula")
    assert [f["name"] for f in start.select("#checklist-question input[type=radio]")] == [
        "adult", "adult"]
    assert "Langkah 1 dari 2" in start.text
    young = page(client, "/syarat/pemula?adult=no&q=adult")
    assert [f["name"] for f in young.select("#checklist-question input[type=radio]")] == [
        "married", "married"]
    assert "Langkah 2 dari 2" in young.text


def test_married_under_17_brings_marriage_evidence(client, page):
    shown = page(client, "/syarat/pemula?adult=no&married=yes")
    assert _bring(shown) == ["Kartu Keluarga (KK)", "Bukti perkawinan"]
    assert "/booking?service=pemula" in shown.links()


def test_unmarried_under_17_is_told_they_cannot_record_yet_and_not_offered_booking(client, page):
    shown = page(client, "/syarat/pemula?adult=no&married=no")
    assert "Anda belum bisa merekam e-KTP" in shown.text
    assert "/booking?service=pemula" not in shown.links()


def test_an_adult_brings_only_the_family_card(client, page):
    shown = page(client, "/syarat/pemula?adult=yes")
    assert _bring(shown) == ["Kartu Keluarga (KK)"]
    assert not shown.select("#checklist-question")


def test_checklist_question_sent_without_answer_is_a_422_with_the_error(client, page):
    shown = page(client, "/syarat/pemula?q=adult", status=422)
    assert shown.soup.title.get_text().startswith("Kesalahan:")
    assert shown.select_one(".error-summary a").get_text() == "Pilih salah satu jawaban."


def test_ticking_nothing_shows_what_is_missing_and_how_to_get_it(client, page):
    shown = page(client, "/syarat/hilang?checked=1&have=kk")
    missing = shown.select_one(".checklist-summary")
    assert "Masih ada yang kurang" in missing.get_text()
    assert [a["href"] for a in missing.select("a")] == ["#doc-police_letter"]
    assert "doc-missing" in shown.select_one("#doc-police_letter")["class"]
    assert shown.select_one("#doc-kk .doc-where") is None  # has it: no need to say where
    ticked = shown.select_one("#doc-kk input[type=checkbox]")
    assert ticked.has_attr("checked")


def test_ticking_everything_says_the_list_is_complete(client, page):
    shown = page(client, "/syarat/rusak?checked=1&have=kk&have=damaged_ektp")
    assert "Lengkap" in shown.select_one(".checklist-summary").get_text()


def test_unknown_documents_and_services_are_ignored_or_not_found(client, page):
    shown = page(client, "/syarat/rusak?checked=1&have=kk&have=<b>x</b>")
    assert "<b>x</b>" not in shown.html
    page(client, "/syarat/paspor", status=404)
    page(client, "/syarat/paspor.pdf", status=404)


def test_htmx_answer_swaps_only_the_checklist_fragment(client, page):
    headers = {"HX-Request": "true", "HX-Trigger": "checklist-ticks"}
    fragment = page(client, "/syarat/hilang?checked=1&have=kk", headers=headers, fragment=True)
    assert fragment.soup.find("html") is None and fragment.soup.find("h1") is None
    assert fragment.select_one("#checklist-ticks") is not None
    assert "Masih ada yang kurang" in fragment.text
    assert "HX-Request" in fragment.response.headers["Vary"]
    full = page(client, "/syarat/hilang?checked=1&have=kk")
    assert "HX-Request" in full.response.headers["Vary"]
    assert full.select_one("#checklist #checklist-ticks") is not None


def test_htmx_answer_moves_focus_to_the_next_question(client, page):
    headers = {"HX-Request": "true", "HX-Trigger": "checklist-question"}
    fragment = page(client, "/syarat/pemula?adult=no&q=adult", headers=headers, fragment=True)
    assert fragment.select_one(".question-box[data-autofocus]") is not None
    ticked = page(client, "/syarat/pemula?have=kk&checked=1", fragment=True,
                  headers={"HX-Request": "true", "HX-Trigger": "checklist-ticks"})
    assert ticked.select_one("[data-autofocus]") is None  # focus stays on the checkbox


def test_the_page_cache_never_mixes_fragments_and_whole_pages(client, page):
    whole = page(client, "/syarat/hilang?checked=1")
    fragment = page(client, "/syarat/hilang?checked=1", fragment=True,
                    headers={"HX-Request": "true", "HX-Trigger": "checklist-ticks"})
    assert fragment.soup.find("h1") is None
    again = page(client, "/syarat/hilang?checked=1")
    assert again.html == whole.html


def test_history_restore_gets_the_whole_page(client, page):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    shown = page(client, "/syarat/hilang?checked=1", headers=headers)
    assert shown.h1 == "Syarat: e-KTP hilang"


def test_checklist_lists_offices_with_hours_in_their_time_zone(client, page):
    offices = page(client, "/syarat/pemula").select_one(".office-list").get_text(" ")
    assert "Senin–Jumat: 08.00–16.00 WIB" in offices
    assert "Sabtu: 08.00–12.00 WIB" in offices
    assert "Senin–Jumat: 08.00–16.00 WITA" in offices
    english = page(client, "/syarat/pemula?lang=en").select_one(".office-list").get_text(" ")
    assert "Monday–Friday: 08:00–16:00 WIB" in english


def test_guidance_pages_show_each_recording_step_with_tips(client, page):
    index = page(client, "/panduan")
    slugs = ["nik-kk", "foto", "tanda-tangan", "sidik-jari", "iris", "tanda-terima"]
    for slug in slugs:
        assert f"/panduan/{slug}" in index.links()
    fingerprints = page(client, "/panduan/sidik-jari")
    assert fingerprints.h1 == "Sidik jari"
    assert "Langkah 4 dari 6" in fingerprints.text
    tips = fingerprints.select(".guide-tips li")
    assert len(tips) == 3 and "pengecualian" in tips[2].get_text()
    assert fingerprints.select_one("button[data-read-aloud][hidden]") is not None
    assert "/panduan/tanda-tangan" in fingerprints.links() and "/panduan/iris" in fingerprints.links()
    iris = page(client, "/panduan/iris?lang=en")
    assert "Take off glasses" in iris.text
    page(client, "/panduan/tidak-ada", status=404)


@pytest.mark.parametrize("url", ["/syarat", "/syarat/pemula", "/syarat/tidak-yakin", "/panduan",
                                 "/panduan/foto", "/bantuan"])
def test_pages_leading_to_an_appointment_say_free_and_link_to_lapor(client, page, url):
    free = page(client, url).select_one("main .free-panel")
    assert "gratis" in free.get_text().lower()
    assert free.select_one("img[src*='free.svg']") is not None
    assert free.select_one("a[href='/lapor']") is not None


def test_read_aloud_button_is_hidden_until_the_script_finds_speech(client, page):
    shown = page(client, "/syarat/pemula")
    button = shown.select_one("button[data-read-aloud]")
    assert button.has_attr("hidden") and button["type"] == "button"
    scripts = [s["src"] for s in shown.select("script[src]")]
    assert any("/static/js/read-aloud.js" in src for src in scripts)


def test_home_leads_to_each_checklist_the_help_page_and_lapor(client, page):
    home = page(client, "/")
    links = home.links()
    for service in SERVICES:
        assert f"/syarat/{service}" in links
    for url in ("/syarat", "/syarat/tidak-yakin", "/bantuan", "/panduan", "/lapor"):
        assert url in links
    assert "All services and what to bring" in page(client, "/?lang=en").text


def test_checklist_says_who_the_service_is_for_and_the_regulation(client, page):
    shown = page(client, "/syarat/pemula?lang=en")
    assert "Who it is for: Aged 17 or older, or married or ever married" in shown.text
    assert "Legal basis: Perpres 96/2018" in shown.text
