"""The walk-in form as the kiosk's "Saya belum daftar" door and the officer's counter both fill
it: the same choices and the same one check of who books (booking.validate_applicant), so the
two doors of issue 12 cannot drift apart. Only the words for "from outside" and the channel
differ."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from .. import messages
from ..db import get_session
from ..domain import booking as bookings
from ..domain import capacity
from ..domain.errors import ValidationError
from ..domain.offices import desa_by_office
from ..domain.services import SERVICES
from ..models import Office, utcnow
from .kiosk.forms import WalkInForm


def walk_in_form(office: Office, outside_label, formdata=None) -> WalkInForm:
    form = WalkInForm(formdata=formdata, today=capacity.local_today(office, utcnow()))
    form.service.choices = [SelectChoice(code, _(s.name)) for code, s in SERVICES.items()]
    form.desa.choices = [SelectChoice("", _l("— pilih —"))] + [
        SelectChoice(d.code, d.name) for d in desa_by_office(get_session()).get(office.code, [])
    ] + [SelectChoice(bookings.OUTSIDE, outside_label)]
    return form


def walk_in_applicant(form: WalkInForm, office: Office,
                      channel: str) -> bookings.Applicant | None:
    """The applicant, or None with the form's fields refused in the user's words."""
    try:
        return bookings.validate_applicant(
            get_session(), office=office, service=form.service.data, nik=form.nik.data,
            name=form.name.data, key=current_app.config["DATA_KEY"].encode(),
            desa=form.desa.data, phone=form.phone.data, needs=form.needs.data or (),
            ever_married=bool(form.married.data), channel=channel)
    except ValidationError as error:
        form.refuse(error)
    except bookings.BookingError as error:
        form.nik.errors.append(messages.conflict_message(error.code))
    return None
