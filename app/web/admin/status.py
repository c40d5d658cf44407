"""Today's service status (issue 15 §6): the admin sets recording and card printing normal,
limited or stopped with a reason, through the same function as `PUT /api/v1/offices/{code}/
status`; when recording stops, people booked for today get a message (app/domain/office_status)."""

from ...db import get_session
from ...domain import office_status
from .forms import PLAIN_TEXT_MESSAGE, STATUS_MESSAGES, ServiceStatusForm
from .routes import actor, admin_office, admin_page, bp


def _page(office, form=None, saved=False, status=200):
    current = office_status.current(get_session(), office.code)
    form = form or ServiceStatusForm(formdata=None, data={
        "recording": current.recording, "printing": current.printing,
        "message": current.message})
    return admin_page("admin/status.html", office, form=form, current=current, saved=saved,
                      status=status)


@bp.get("/<office_code>/status")
def show_service_status(office_code):
    return _page(admin_office(office_code))


@bp.post("/<office_code>/status")
def set_service_status(office_code):
    office, form = admin_office(office_code), ServiceStatusForm()
    if form.validate_on_submit():
        try:
            office_status.set_status(get_session(), office.code, recording=form.recording.data,
                                     printing=form.printing.data, message=form.message.data,
                                     actor=actor())
            get_session().commit()
            return _page(office, saved=True)
        except office_status.StatusInvalid as refused:
            for name, code in refused.errors.items():
                form[name].errors = [STATUS_MESSAGES.get(code, PLAIN_TEXT_MESSAGE)]
    return _page(office, form=form, status=422)
