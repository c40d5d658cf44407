"""Indonesian is the source language; every string in the code has its English translation."""

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_ui_string_has_an_english_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([Path(sys.executable).parent / "pybabel", "extract", "-F",
                    ROOT / "app" / "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "-o", template, ROOT], check=True, capture_output=True, cwd=ROOT)
    with template.open("rb") as f:
        used = {m.id for m in read_po(f) if m.id}
    with CATALOG.open("rb") as f:
        translated = {m.id: m.string for m in read_po(f) if m.id}
    missing = sorted(m for m in used if not translated.get(m))
    assert not missing, "add English for:\n" + "\n".join(missing)


# --- a new language is a new catalogue, not a code change (issue 10) --------------------------

APP = ROOT / "app"
CODE = [p for p in APP.rglob("*.py") if "translations" not in p.parts]


def _extracted(tmp_path) -> set[str]:
    template = tmp_path / "messages.pot"
    subprocess.run([Path(sys.executable).parent / "pybabel", "extract", "-F",
                    ROOT / "app" / "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "-o", template, ROOT], check=True, capture_output=True, cwd=ROOT)
    with template.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_no_hand_made_translation_is_left_in_the_code():
    """The bilingual `Text(id, en)` is gone, and no English of the catalogue is written out in
    Python beside its Indonesian (where a third language could not reach it)."""
    with CATALOG.open("rb") as f:
        english = {m.string for m in read_po(f)
                   if m.id and isinstance(m.string, str) and len(m.string) >= 12
                   and m.string != m.id}
    for path in CODE:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])Text\(|class Text\b", source), path
        joined = re.sub(r'"\s*\n\s*"', "", source)  # implicit concatenation across lines
        found = sorted(text for text in english if f'"{text}"' in joined)
        assert not found, f"{path.relative_to(ROOT)} spells out English: {found[:3]}"


def _domain_texts():
    """Every string a person reads in the domain's data: service and requirement texts, the
    'not sure' questions, the guidance steps, the notes and the receipt titles."""
    from app import documents
    from app.domain import guidance, services

    def walk(obj):
        if isinstance(obj, str):
            yield obj
        elif dataclasses.is_dataclass(obj):
            for field in dataclasses.fields(obj):
                if field.name not in {"code", "pool", "pictogram", "regulation", "slug"}:
                    yield from walk(getattr(obj, field.name))
        elif isinstance(obj, tuple | list):
            if len(obj) == 2 and all(isinstance(item, str) for item in obj):
                obj = obj[1:]  # a choice: (value, text)
            for item in obj:
                yield from walk(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                yield from walk(item)

    notes = [services.FREE_NOTE, services.NO_COVER_LETTER_NOTE, services.OUTSIDE_DOMICILE_NOTE,
             services.BIOMETRICS_ON_FILE_NOTE, services.NONE_RESULT_TEXT]
    data = [services.SERVICES, services.QUESTIONS, guidance.STEPS, notes,
            services.checklist("pemula", ever_married=True), documents.TITLES]
    return set(walk(data))


def test_every_domain_text_is_extracted_into_the_catalogue(tmp_path):
    texts = _domain_texts()
    assert len(texts) > 80
    # Jinja's gettext treats every string as a %-format: a bare % would break `_(text)`.
    assert not [t for t in texts if "%" in t]
    missing = sorted(texts - _extracted(tmp_path))
    assert not missing, "mark with N_() so pybabel sees:\n" + "\n".join(missing)


@pytest.fixture(scope="module")
def javanese(tmp_path_factory):
    """A third catalogue made the way a translator would: a copy of the English one with every
    string replaced, compiled beside it. No Python is touched."""
    folder = tmp_path_factory.mktemp("translations")
    shutil.copytree(APP / "translations" / "en", folder / "en")
    with CATALOG.open("rb") as f:
        catalogue = read_po(f, locale="jv")
    for message in catalogue:
        if message.id and not isinstance(message.id, tuple):
            message.string = "JV " + message.id
    (folder / "jv" / "LC_MESSAGES").mkdir(parents=True)
    with (folder / "jv" / "LC_MESSAGES" / "messages.po").open("wb") as f:
        write_po(f, catalogue)
    subprocess.run([Path(sys.executable).parent / "pybabel", "-q", "compile", "-d", folder],
                   check=True, capture_output=True)
    return folder


@pytest.fixture
def javanese_client(javanese, database_url, instance_dir):
    from app import create_app

    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_dir),
                      "TESTING": True, "RATE_LIMITS": "off", "SECRET_KEY": "test-secret",
                      "DATA_KEY": "test-data-key", "PAGE_CACHE": False,
                      "BABEL_TRANSLATION_DIRECTORIES": str(javanese)})
    yield app.test_client()
    app.extensions["rekam_db"].dispose()


def _soup(client, url: str, **kwargs) -> BeautifulSoup:
    # Not the `page` checker: it knows only id and en as page languages.
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_a_new_catalogue_is_a_new_language(javanese_client):
    listing = _soup(javanese_client, "/syarat?lang=jv")
    assert listing.html["lang"] == "jv"
    assert "JV Perekaman pertama" in listing.get_text()  # a domain text, through the catalogue
    checklist = " ".join(_soup(javanese_client, "/syarat/pemula?lang=jv").get_text().split())
    assert "JV Kartu Keluarga (KK)" in checklist
    assert "08:00–16:00 WIB" in checklist  # CLDR's Javanese clock, no code for it
    api = javanese_client.get("/api/v1/services", headers={"Accept-Language": "jv"})
    assert api.json[0]["name"] == "JV Perekaman pertama"
    assert _soup(javanese_client, "/syarat?lang=en").html["lang"] == "en"
