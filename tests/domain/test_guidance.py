"""What a resident is told about the recording itself."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.support import Translations

from app.domain.guidance import STEPS, GuidanceStep, get_step

ROOT = Path(__file__).resolve().parents[2]
PICTOGRAMS = ROOT / "static" / "img" / "pictograms"
ENGLISH = Translations.load(str(ROOT / "app" / "translations"), ["en"]).gettext


def test_the_recording_runs_from_the_nik_check_to_the_receipt():
    assert [s.slug for s in STEPS] == [
        "nik-kk",
        "foto",
        "tanda-tangan",
        "sidik-jari",
        "iris",
        "tanda-terima",
    ]


def test_a_step_is_found_by_its_slug():
    assert get_step("iris") is STEPS[4]
    assert isinstance(get_step("foto"), GuidanceStep)
    with pytest.raises(KeyError):
        get_step("pembayaran")


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.slug)
def test_every_step_gives_two_or_three_tips_in_both_languages(step):
    assert 2 <= len(step.tips) <= 3
    for text in (step.title, step.summary, *step.tips):
        assert text.strip()  # Indonesian, the source
        assert ENGLISH(text) != text  # and English in the catalogue


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.slug)
def test_every_step_pictogram_exists_as_a_small_svg(step):
    assert step.pictogram == f"{step.slug}.svg"
    path = PICTOGRAMS / step.pictogram
    assert path.is_file()
    assert path.stat().st_size < 1536
    root = ET.parse(path).getroot()  # noqa: S314 -- our own committed files
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_dry_or_worn_fingers_are_normal_and_an_injured_finger_is_no_refusal():
    tips = " ".join(ENGLISH(t) for t in get_step("sidik-jari").tips).lower()
    assert "dry" in tips and "moisten" in tips
    assert "few tries" in tips and "normal" in tips
    assert "exception" in tips


def test_the_iris_step_says_to_remove_glasses_and_lenses():
    tips = " ".join(t for t in get_step("iris").tips).lower()
    assert "kacamata" in tips and "lensa kontak" in tips


def test_religious_headwear_is_allowed_with_the_face_visible():
    tips = " ".join(ENGLISH(t) for t in get_step("foto").tips).lower()
    assert "religious" in tips and "face" in tips


def test_the_receipt_must_be_kept_and_nobody_may_charge():
    tips = " ".join(t for t in get_step("tanda-terima").tips).lower()
    assert "simpan" in tips
    assert "gratis" in tips
