"""The office's kiosks on the people page (issues 12 and 15): list, pair a new one, revoke —
through the lobby's pairing functions (app/domain/lobby.py), the same as `pair-kiosk`,
`kiosks` and `revoke-kiosk`. The pairing link is shown once, on the POST's answer only."""

from flask import abort, current_app, redirect, url_for
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length

from ...db import get_session
from ...domain import lobby
from ...models import Kiosk
from ..forms import PostForm
from .forms import EmptyForm
from .people import _people_page
from .routes import actor, admin_office, admin_page, bp


class KioskForm(PostForm):
    name = StringField(_l("Nama kios (misalnya: Anjungan pintu depan)"),
                       validators=[Length(max=lobby.NAME_MAX,
                                          message=_l("Tulis paling banyak 60 huruf."))])


def pairing_url(code: str) -> str:
    """The one-time link the kiosk's browser opens (as `pair-kiosk` prints it)."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}" + url_for("kiosk.show_pairing",
                                                                      code=code)


def _kiosk_of(office, kiosk_id: int) -> Kiosk:
    kiosk = get_session().get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.office_code != office.code or kiosk.revoked_at is not None:
        abort(404)
    return kiosk


@bp.post("/<office_code>/people/kiosks")
def pair_new_kiosk(office_code):
    office = admin_office(office_code)
    form = KioskForm(prefix="kiosk")
    if not form.validate_on_submit():
        return _people_page(office, kiosk_form=form, status=422)
    kiosk, code = lobby.create_pairing(get_session(), office.code, form.name.data, actor())
    get_session().commit()
    return _people_page(office, paired=(kiosk, pairing_url(code)))


@bp.get("/<office_code>/people/kiosks/<int:kiosk_id>/revoke")
def show_revoke_kiosk(office_code, kiosk_id):
    office = admin_office(office_code)
    return admin_page("admin/confirm.html", office, what="kiosk",
                      subject=_kiosk_of(office, kiosk_id), form=EmptyForm(formdata=None))


@bp.post("/<office_code>/people/kiosks/<int:kiosk_id>/revoke")
def revoke_kiosk(office_code, kiosk_id):
    office = admin_office(office_code)
    kiosk = _kiosk_of(office, kiosk_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    lobby.revoke(get_session(), kiosk.id, actor())
    get_session().commit()
    return redirect(url_for("admin.show_people", office_code=office.code) + "#kiosks", code=303)
