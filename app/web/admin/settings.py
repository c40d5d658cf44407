"""Office settings (issue 15 §1): validated by the domain, audited, and a change that shrinks
capacity moves who no longer fits, shown on the page that confirms it."""

from flask import request

from ...db import get_session
from ...domain import office_settings
from .forms import SettingsForm, setting_message
from .routes import actor, admin_office, admin_page, bp


def _form(office, formdata=None):
    values = {k: ("" if v is None else str(v)) for k, v in
              office_settings.settings_of(office).items()}
    return SettingsForm(formdata=formdata, data=values)


@bp.get("/<office_code>/settings")
def show_settings(office_code):
    office = admin_office(office_code)
    return admin_page("admin/settings.html", office, form=_form(office))


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
        return admin_page("admin/settings.html", office, form=form,
                          status=422)
    get_session().commit()
    return admin_page("admin/settings.html", office, form=_form(office), change=change,
                      saved=True, referrer=request.path)
