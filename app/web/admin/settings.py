"""Office settings (issue 15 §1): validated by the domain, audited, and a change that shrinks
capacity moves who no longer fits, shown on the page that confirms it."""

from flask import redirect, request, url_for

from ...db import get_session
from ...domain import card, office_settings
from .forms import BlangkoForm, SettingsForm, setting_message
from .routes import actor, admin_office, admin_page, bp


def _settings_page(office, *, blangko_form=None, **context):
    """The settings page, with the blangko stock and its top-up form beside the settings."""
    return admin_page("admin/settings.html", office, blangko=office.blangko_stock,
                      blangko_form=blangko_form or BlangkoForm(formdata=None, prefix="blangko"),
                      **context)


def _form(office, formdata=None):
    values = {k: ("" if v is None else str(v)) for k, v in
              office_settings.settings_of(office).items()}
    return SettingsForm(formdata=formdata, data=values)


@bp.get("/<office_code>/settings")
def show_settings(office_code):
    office = admin_office(office_code)
    return _settings_page(office, form=_form(office), topped_up=request.args.get("blangko"))


@bp.post("/<office_code>/settings")
def change_settings(office_code):
    office, form = admin_office(office_code), SettingsForm()
    change = None
    if form.validate_on_submit():
        values = {name: form[name].data for name in office_settings.SETTINGS}
        try:
            change = office_settings.update_settings(get_session(), office.code, values,
                                                     actor())
        except office_settings.SettingsInvalid as refused:
            for name, code in refused.errors.items():
                form[name].errors = [setting_message(name, code)]
    if change is None:
        return _settings_page(office, form=form, status=422)
    get_session().commit()
    return _settings_page(office, form=_form(office), change=change, saved=True,
                          referrer=request.path)


@bp.post("/<office_code>/settings/blangko")
def top_up_blangko(office_code):
    """Blank cards received: the stock grows by the count, audited (card.top_up_blangko)."""
    office, form = admin_office(office_code), BlangkoForm(prefix="blangko")
    count = form.cards() if form.validate_on_submit() else None
    if count is None:
        return _settings_page(office, form=_form(office), blangko_form=form, status=422)
    card.top_up_blangko(get_session(), office.code, count, actor())
    get_session().commit()
    return redirect(url_for("admin.show_settings", office_code=office.code, blangko=count)
                    + "#blangko", code=303)
