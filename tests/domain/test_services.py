"""The services catalogue, the checklist of what to bring, and the "Saya tidak yakin" path."""

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.support import Translations

from app.domain.services import (
    BIOMETRICS_ON_FILE_NOTE,
    FREE_NOTE,
    NO_COVER_LETTER_NOTE,
    NONE_RESULT_TEXT,
    OUTSIDE_DOMICILE_NOTE,
    QUESTIONS,
    SERVICES,
    Question,
    answered_path,
    checklist,
    get_service,
    next_step,
    service_as_json,
    step_number,
    total_steps,
)

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
ENGLISH = Translations.load(str(TRANSLATIONS), ["en"]).gettext  # the catalogue the API uses


def indonesian(text: str) -> str:
    return text  # the source language: the text itself


PICTOGRAMS = Path(__file__).resolve().parents[2] / "static" / "img" / "pictograms"
SVG_NS = "{http://www.w3.org/2000/svg}"


def codes(documents):
    return [doc.code for doc in documents]


# --- catalogue -----------------------------------------------------------------------------------


def test_the_catalogue_lists_the_five_services_in_order():
    assert list(SERVICES) == ["pemula", "rusak", "hilang", "perubahan", "pindah"]
    assert all(code == service.code for code, service in SERVICES.items())


@pytest.mark.parametrize("code", list(SERVICES))
def test_every_service_asks_for_the_family_card(code):
    assert "kk" in codes(checklist(code))


def test_a_lost_card_needs_the_police_letter():
    assert codes(checklist("hilang")) == ["police_letter", "kk"]


def test_a_damaged_card_is_brought_along():
    assert codes(checklist("rusak")) == ["damaged_ektp", "kk"]


def test_someone_who_moved_here_brings_the_skpwni():
    assert codes(checklist("pindah")) == ["skpwni", "kk"]


def test_a_change_of_data_needs_the_evidence_and_the_old_card():
    assert set(codes(checklist("perubahan"))) == {"kk", "old_ektp", "evidence_of_change"}


def test_a_first_recording_needs_only_the_family_card():
    assert codes(checklist("pemula")) == ["kk"]


def test_a_married_person_under_17_also_brings_marriage_evidence():
    assert codes(checklist("pemula", ever_married=True)) == ["kk", "marriage_certificate"]
    # ...and only on a first recording; the catalogue entry itself is unchanged
    assert codes(checklist("rusak", ever_married=True)) == ["damaged_ektp", "kk"]
    assert codes(SERVICES["pemula"].documents) == ["kk"]


def test_only_a_first_recording_goes_to_the_biometric_station():
    assert [c for c, s in SERVICES.items() if s.needs_recording] == ["pemula"]
    assert {c: s.pool for c, s in SERVICES.items()} == {
        "pemula": "station",
        "rusak": "counter",
        "hilang": "counter",
        "perubahan": "counter",
        "pindah": "counter",
    }


def test_an_unknown_service_is_a_key_error():
    assert get_service("pindah") is SERVICES["pindah"]
    with pytest.raises(KeyError):
        get_service("perpanjangan")
    with pytest.raises(KeyError):
        checklist("perpanjangan")


def test_every_requirement_cites_its_regulation_and_says_where_to_get_it():
    for code in SERVICES:
        for doc in checklist(code, ever_married=True):
            assert "Perpres 96/2018" in doc.regulation
            assert doc.where_to_get and ENGLISH(doc.where_to_get) != doc.where_to_get
        assert "Perpres 96/2018" in SERVICES[code].regulation


def test_the_api_describes_a_service_in_the_chosen_language():
    data = service_as_json(SERVICES["hilang"], ENGLISH)
    assert set(data) == {
        "code",
        "name",
        "description",
        "needs_recording",
        "pool",
        "pictogram",
        "requirements",
    }
    assert data["code"] == "hilang"
    assert data["name"] == "Lost e-KTP"
    assert data["needs_recording"] is False
    assert data["pool"] == "counter"
    assert data["pictogram"] == "hilang.svg"
    assert [r["code"] for r in data["requirements"]] == ["police_letter", "kk"]
    for req in data["requirements"]:
        assert set(req) == {"code", "name", "detail", "where_to_get", "regulation"}
    assert service_as_json(SERVICES["hilang"], indonesian)["name"] == "e-KTP hilang"
    json.dumps(data)  # serialisable as is


def test_the_api_can_include_marriage_evidence_for_a_young_married_person():
    data = service_as_json(SERVICES["pemula"], indonesian, ever_married=True)
    assert [r["code"] for r in data["requirements"]] == ["kk", "marriage_certificate"]


# --- every text is in the catalogue -------------------------------------------------------------

# Fields that hold codes, file names and citations, not words a person reads.
NOT_TEXT = {"code", "pool", "pictogram", "regulation", "slug"}


def all_texts(obj):
    """Every user-facing string in the catalogue data (choices are (value, text) pairs)."""
    if isinstance(obj, str):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for field in dataclasses.fields(obj):
            if field.name not in NOT_TEXT and not isinstance(getattr(obj, field.name), bool):
                yield from all_texts(getattr(obj, field.name))
    elif isinstance(obj, tuple | list):
        if len(obj) == 2 and isinstance(obj[0], str) and isinstance(obj[1], str):
            obj = obj[1:]  # a choice: ("yes", "Ya")
        for item in obj:
            yield from all_texts(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from all_texts(item)


def test_every_text_is_indonesian_with_english_in_the_catalogue():
    notes = [FREE_NOTE, NO_COVER_LETTER_NOTE, OUTSIDE_DOMICILE_NOTE, BIOMETRICS_ON_FILE_NOTE]
    everything = [SERVICES, QUESTIONS, NONE_RESULT_TEXT, notes]
    everything += [checklist("pemula", ever_married=True)]
    texts = set(all_texts(everything))
    assert len(texts) > 50
    for text in texts:
        assert text.strip(), text
        assert ENGLISH(text) != text or len(text) < 12, text  # not left untranslated


def test_the_free_of_charge_note_names_the_blank_card():
    assert "blangko" in FREE_NOTE
    assert "gratis" in FREE_NOTE.lower()


# --- pictograms ----------------------------------------------------------------------------------

EXPECTED_PICTOGRAMS = {
    *(f"{code}.svg" for code in SERVICES),
    *(
        f"{code}.svg"
        for code in (
            "kk",
            "skpwni",
            "police_letter",
            "old_ektp",
            "damaged_ektp",
            "evidence_of_change",
            "marriage_certificate",
        )
    ),
    *(
        f"{slug}.svg"
        for slug in ("nik-kk", "foto", "tanda-tangan", "sidik-jari", "iris", "tanda-terima")
    ),
    *(
        f"{name}.svg"
        for name in (
            "free",
            "help",
            "wheelchair",
            "sign_language",
            "companion",
            "home_visit",
            "low_vision",
            "pregnant",
            "infant",
            "calendar",
            "clock",
            "office",
            "check",
            "warning",
            "cross",
            "info",
            "speaker",
            "text_size",
            "contrast",
            "language",
        )
    ),
}


def test_every_pictogram_the_catalogue_names_exists():
    referenced = {s.pictogram for s in SERVICES.values()}
    referenced |= {d.pictogram for code in SERVICES for d in checklist(code, ever_married=True)}
    for name in referenced:
        assert (PICTOGRAMS / name).is_file(), name
    assert referenced <= EXPECTED_PICTOGRAMS


def test_the_whole_pictogram_set_is_there():
    assert {p.name for p in PICTOGRAMS.glob("*.svg")} >= EXPECTED_PICTOGRAMS


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


@pytest.mark.parametrize("path", sorted(PICTOGRAMS.glob("*.svg")), ids=lambda p: p.name)
def test_a_pictogram_is_a_small_safe_svg_readable_on_white(path):
    raw = path.read_bytes()
    assert len(raw) < 1536
    root = ET.fromstring(raw)  # noqa: S314 -- our own committed files
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 64 64"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and (title.text or "").strip()
    for el in root.iter():
        assert el.tag.removeprefix(SVG_NS) not in {"script", "image", "foreignObject", "use"}
        for attr, value in el.attrib.items():
            assert not attr.lower().startswith("on"), attr
            assert "href" not in attr.lower(), attr
            assert "url(" not in value, value
    text = raw.decode()
    assert "<!DOCTYPE" not in text and "<!ENTITY" not in text
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', text))
    colours -= {"#fff", "#ffffff", "#FFF", "#FFFFFF"}
    assert 1 <= len(colours) <= 3, colours
    for colour in colours:
        assert _contrast_with_white(colour) >= 3, colour
    assert not re.search(r'(?:fill|stroke)="(?!none|#)', text), "named colours are not checked"


# --- "Saya tidak yakin" ----------------------------------------------------------------------------


def test_someone_without_an_ektp_needs_a_first_recording():
    assert next_step({"has_ektp": "no"}) == "pemula"


def test_someone_who_moved_here_without_an_ektp_still_needs_a_first_recording():
    assert next_step({"has_ektp": "no", "moved_from_other_city": "yes"}) == "pemula"


def test_a_lost_card_leads_to_the_lost_card_service():
    assert next_step({"has_ektp": "yes", "lost_or_damaged": "yes", "which": "lost"}) == "hilang"


def test_a_damaged_card_leads_to_the_damaged_card_service():
    answers = {"has_ektp": "yes", "lost_or_damaged": "yes", "which": "damaged"}
    assert next_step(answers) == "rusak"


def test_moving_from_another_city_leads_to_pindah():
    answers = {"has_ektp": "yes", "lost_or_damaged": "no", "moved_from_other_city": "yes"}
    assert next_step(answers) == "pindah"


def test_changed_data_leads_to_perubahan():
    answers = {
        "has_ektp": "yes",
        "lost_or_damaged": "no",
        "moved_from_other_city": "no",
        "data_changed": "yes",
    }
    assert next_step(answers) == "perubahan"


def test_nothing_changed_means_no_new_card_is_needed():
    answers = {
        "has_ektp": "yes",
        "lost_or_damaged": "no",
        "moved_from_other_city": "no",
        "data_changed": "no",
    }
    assert next_step(answers) == "none"
    assert "seumur hidup" in NONE_RESULT_TEXT


def test_the_first_question_is_whether_you_have_an_ektp():
    step = next_step({})
    assert isinstance(step, Question)
    assert step.code == "has_ektp"
    assert [code for code, _ in step.choices] == ["yes", "no"]


def test_lost_or_damaged_is_asked_as_a_choice():
    step = next_step({"has_ektp": "yes", "lost_or_damaged": "yes"})
    assert isinstance(step, Question) and step.code == "which"
    assert [code for code, _ in step.choices] == ["lost", "damaged"]


def test_an_answer_that_is_not_a_choice_is_refused():
    with pytest.raises(ValueError):
        next_step({"has_ektp": "maybe"})
    with pytest.raises(ValueError):
        next_step({"has_ektp": "yes", "lost_or_damaged": "yes", "which": "yes"})
    with pytest.raises(ValueError):
        next_step({"has_ektp": ""})
    with pytest.raises(ValueError):
        total_steps({"has_ektp": "Ya"})


def test_answers_off_the_path_are_ignored():
    answers = {"has_ektp": "yes", "lost_or_damaged": "no", "which": "bogus", "csrf": "x"}
    step = next_step(answers)
    assert isinstance(step, Question) and step.code == "moved_from_other_city"
    assert [q.code for q, _ in answered_path(answers)] == ["has_ektp", "lost_or_damaged"]


def _all_paths(answers=None):
    """Every complete path: (answers in order, result)."""
    answers = answers or {}
    step = next_step(answers)
    if not isinstance(step, Question):
        yield dict(answers), step
        return
    for choice, _ in step.choices:
        yield from _all_paths({**answers, step.code: choice})


def test_every_answer_leads_somewhere_and_every_service_is_reachable():
    results = [result for _, result in _all_paths()]
    assert sorted(results) == sorted([*SERVICES, "none"])


def test_the_step_indicator_starts_at_1_of_4():
    assert (step_number({}), total_steps({})) == (1, 4)


def test_the_step_indicator_counts_up_and_ends_on_the_last_step():
    for full, result in _all_paths():
        so_far: dict[str, str] = {}
        for n, (code, answer) in enumerate(full.items(), start=1):
            assert step_number(so_far) == n, (result, so_far)
            assert n <= total_steps(so_far) <= 4
            so_far[code] = answer
        assert step_number(full) == total_steps(full) == len(full), result


def test_the_step_total_shrinks_once_a_shorter_path_is_chosen():
    assert total_steps({"has_ektp": "no"}) == 1
    assert total_steps({"has_ektp": "yes"}) == 4
    assert total_steps({"has_ektp": "yes", "lost_or_damaged": "yes"}) == 3
    assert step_number({"has_ektp": "yes", "lost_or_damaged": "yes"}) == 3
