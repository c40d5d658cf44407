"""Forms of the satisfaction survey (issue 17): the token from the slip, then the questions.

The questions are built from the configured element list (IKM_ELEMENTS), so an office that
adapts its questionnaire changes a setting, not a form. Labels are the regulation's answer
words, Indonesian msgids translated where shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ...domain import ikm
from ..forms import ChosenFrom, Form, PostForm, choices

ANSWER_MISSING = _l("Pilih satu jawaban untuk pertanyaan ini.")


class TokenForm(Form):
    """A GET form: the token travels as `kode`, like the QR on the slip."""

    kode = StringField(
        _l("Kode survei"), validators=[Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters",
                   "spellcheck": "false"})


def servqual_name(dimension: str, kind: str) -> str:
    return f"sq_{dimension}_{'e' if kind == ikm.EXPECTATION else 'p'}"


def survey_form(elements: Sequence[str], **kwargs) -> PostForm:
    """The questions: one required 1–4 choice per element, the optional SERVQUAL pairs (1–5),
    a free-text suggestion and the token as a hidden field."""
    fields = {"kode": HiddenField()}
    for code in elements:
        element = ikm.ELEMENTS[code]
        fields[code] = RadioField(
            _(element.question), validate_choice=False,
            choices=choices([str(v) for v in ikm.SCALE], [_(t) for t in element.labels]),
            validators=[ChosenFrom(ANSWER_MISSING)])
    labels = [_(t) for t in ikm.SERVQUAL_LABELS]
    values = [str(v) for v in ikm.SERVQUAL_SCALE]
    for code in ikm.DIMENSIONS:
        for kind, question in ((ikm.EXPECTATION, _l("Yang Anda harapkan")),
                               (ikm.PERCEPTION, _l("Yang Anda alami hari ini"))):
            fields[servqual_name(code, kind)] = RadioField(
                question, validate_choice=False, choices=choices(values, labels),
                validators=[Optional(), ChosenFrom(_l("Pilih dari jawaban yang tersedia."))])
    fields["saran"] = TextAreaField(
        _l("Saran untuk kantor ini (tidak wajib)"),
        validators=[Optional(), Length(max=1000, message=_l(
            "Tulis saran paling banyak 1000 huruf."))])
    return type("SurveyForm", (PostForm,), fields)(**kwargs)


def answers_of(form, elements: Sequence[str]) -> tuple[dict[str, int], dict]:
    answers = {code: int(form[code].data) for code in elements}
    servqual = {}
    for code in ikm.DIMENSIONS:
        for kind in (ikm.EXPECTATION, ikm.PERCEPTION):
            value = form[servqual_name(code, kind)].data
            if value:
                servqual[(code, kind)] = int(value)
    return answers, servqual
