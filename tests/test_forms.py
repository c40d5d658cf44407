"""The one form base (app/web/forms.py, issue 10): one CSRF answer everywhere, one checkbox
rule, the UTF-8 body check, and no view that switches CSRF off but the documented NIK check."""

import ast
from pathlib import Path

import pytest

import app as package

APP = Path(package.__file__).parent
POSTED_FORMS = ["/booking", "/booking/kantor", "/booking/data", "/booking/kelola",
                "/booking/lupa-kode", "/bantuan", "/kunjungan-rumah", "/lapor", "/login",
                "/tampilan"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("path", POSTED_FORMS)
def test_a_form_without_its_token_gets_the_same_answer_everywhere(client, page, path):
    with client.without_csrf():
        refused = page(client, path, method="POST", status=400, data={"name": "Siti"})
    assert refused.h1 == "Permintaan tidak dapat diproses"
    assert "kedaluwarsa" in refused.text and "Muat ulang halaman" in refused.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_side_effect_free_nik_check_is_the_only_form_without_a_token(client, page):
    shown = page(client, "/syarat/pemula", method="POST", status=200,
                 data={"nik": "3515041203070003", "ever_married": "no"})
    assert "3515••••••••0003" in shown.text
    exempt = [node.lineno for path in (APP / "web").rglob("*.py")
              for node in ast.walk(ast.parse(path.read_text()))
              if isinstance(node, ast.Attribute) and node.attr == "exempt"
              and getattr(node.value, "id", None) == "csrf"]
    assert len(exempt) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("path, field", [("/bantuan", "needs"), ("/lapor", "description"),
                                         ("/kunjungan-rumah", "name")])
def test_broken_bytes_with_a_token_are_a_422_naming_the_field(client, page, path, field):
    form = page(client, path)
    token = form.select_one("input[name=csrf_token]")["value"]
    shown = page(client, path, method="POST", status=422,
                 data=f"csrf_token={token}&{field}=".encode() + b"\xff\xfe",
                 content_type="application/x-www-form-urlencoded")
    assert "tidak bisa kami baca" in shown.select_one(f"#{field}-error").get_text()


def test_a_checkbox_value_the_page_did_not_offer_is_refused_not_dropped(client, page):
    help_page = page(client, "/bantuan", method="POST", status=422,
                     data={"needs": ["wheelchair", "jetpack"]})
    assert "Pilih dari daftar bantuan" in help_page.select_one("#needs-error").get_text()


def test_text_is_stripped_and_control_characters_refused_by_the_base(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import StringField

    from app.web.forms import PostForm

    class Probe(PostForm):
        text = StringField()

    with app.test_request_context():
        probe = Probe(MultiDict({"text": "  hello \n"}), meta={"csrf": False})
        assert probe.validate() and probe.text.data == "hello"
        bell = Probe(MultiDict({"text": "bell\x07"}), meta={"csrf": False})
        assert not bell.validate() and "tidak bisa dibaca" in str(bell.text.errors[0])
