"""Indonesian is the source language; every string in the code has its English translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

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
