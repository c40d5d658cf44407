"""People and devices (issue 15 §4): the office's staff accounts and API tokens, through the same
domain functions as the CLI (app/domain/accounts.py). Kiosks: the lobby's pairing functions
(app/web/admin/kiosks.py) fill the "kiosks" section of templates/admin/people.html."""

from flask import abort, redirect, url_for
from sqlmodel import select

from ...db import get_session
from ...domain import accounts, lobby
from ...models import Desa
from ..auth import current_user as _current_user
from .forms import (
    EmptyForm,
    PasswordForm,
    RoleForm,
    TokenForm,
    UserForm,
    account_problem,
    with_desa,
)
from .routes import actor, admin_office, admin_page, bp


def _desa(office):
    return get_session().exec(select(Desa).where(Desa.office_code == office.code)
                              .order_by(Desa.name)).all()


def _people_page(office, *, user_form=None, token_form=None, minted=None, kiosk_form=None,
                 paired=None, status=200):
    from .kiosks import KioskForm  # the kiosks' module builds on this page

    session = get_session()
    response = admin_page(
        "admin/people.html", office, status=status, minted=minted, paired=paired,
        kiosks=lobby.list_kiosks(session, office.code),
        kiosk_form=kiosk_form or KioskForm(formdata=None, prefix="kiosk"),
        users=accounts.office_users(session, office.code),
        tokens=accounts.office_tokens(session, office.code),
        user_form=user_form or with_desa(UserForm(formdata=None, prefix="user"), _desa(office)),
        token_form=token_form or with_desa(TokenForm(formdata=None, prefix="token"),
                                           _desa(office)))
    if minted or paired:  # the secret is on this page once: never kept by a cache or the history
        response.headers["Cache-Control"] = "no-store"
    return response


def _refuse(form, error):
    name, message = account_problem(str(error))
    form[name].errors = [message]


@bp.get("/<office_code>/people")
def show_people(office_code):
    return _people_page(admin_office(office_code))


@bp.post("/<office_code>/people/users")
def create_user(office_code):
    office = admin_office(office_code)
    form = with_desa(UserForm(prefix="user"), _desa(office))
    if form.validate_on_submit():
        try:
            accounts.create_user(get_session(), form.username.data, form.password.data,
                                 form.role.data, office.code, form.desa_code.data or None,
                                 actor=actor())
            get_session().commit()
            return redirect(url_for("admin.show_people", office_code=office.code), code=303)
        except accounts.AccountError as error:
            _refuse(form, error)
    return _people_page(office, user_form=form, status=422)


@bp.post("/<office_code>/people/tokens")
def mint_token(office_code):
    office = admin_office(office_code)
    form = with_desa(TokenForm(prefix="token"), _desa(office))
    if form.validate_on_submit():
        try:
            token, secret = accounts.mint_token(
                get_session(), form.role.data, office.code, form.desa_code.data or None,
                form.label.data, actor=actor())
            get_session().commit()
            return _people_page(office, minted=(token, secret))
        except accounts.AccountError as error:
            _refuse(form, error)
    return _people_page(office, token_form=form, status=422)


def _user_of(office, user_id):
    user = accounts.office_user(get_session(), office.code, user_id)
    if user is None:
        abort(404)
    return user


def _user_page(office, user, *, role_form=None, password_form=None, done=None, status=200):
    return admin_page("admin/user.html", office, user=user, done=done, status=status,
                      role_form=role_form or with_desa(RoleForm(
                          formdata=None, prefix="role",
                          data={"role": user.role, "desa_code": user.desa_code or ""}),
                          _desa(office)),
                      password_form=password_form or PasswordForm(formdata=None,
                                                                  prefix="password"),
                      is_self=user.id == _current_user().id)


@bp.get("/<office_code>/people/users/<int:user_id>")
def show_user(office_code, user_id):
    office = admin_office(office_code)
    return _user_page(office, _user_of(office, user_id))


@bp.post("/<office_code>/people/users/<int:user_id>/role")
def change_user_role(office_code, user_id):
    office = admin_office(office_code)
    user, form = _user_of(office, user_id), with_desa(RoleForm(prefix="role"), _desa(office))
    if form.validate_on_submit() and user.id != _current_user().id:
        try:
            accounts.change_role(get_session(), user, form.role.data,
                                 form.desa_code.data or None, actor())
            get_session().commit()
            return _user_page(office, user, done="role")
        except accounts.AccountError as error:
            _refuse(form, error)
    return _user_page(office, user, role_form=form, status=422)


@bp.post("/<office_code>/people/users/<int:user_id>/password")
def reset_user_password(office_code, user_id):
    office = admin_office(office_code)
    user, form = _user_of(office, user_id), PasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            accounts.set_password(get_session(), user.username, form.password.data or "",
                                  actor())
            get_session().commit()
            return _user_page(office, user, done="password")
        except accounts.AccountError as error:
            _refuse(form, error)
    return _user_page(office, user, password_form=form, status=422)


@bp.get("/<office_code>/people/users/<int:user_id>/disable")
def show_disable_user(office_code, user_id):
    office = admin_office(office_code)
    return admin_page("admin/confirm.html", office, what="user", subject=_user_of(office, user_id),
                      form=EmptyForm(formdata=None))


@bp.post("/<office_code>/people/users/<int:user_id>/disable")
def disable_user(office_code, user_id):
    office = admin_office(office_code)
    user = _user_of(office, user_id)
    if not EmptyForm().validate_on_submit() or user.id == _current_user().id:
        abort(409)  # nobody locks themselves out; another admin can do it
    accounts.disable_user(get_session(), user.username, actor())
    get_session().commit()
    return redirect(url_for("admin.show_people", office_code=office.code), code=303)


@bp.get("/<office_code>/people/tokens/<int:token_id>/revoke")
def show_revoke_token(office_code, token_id):
    office = admin_office(office_code)
    token = next((t for t in accounts.office_tokens(get_session(), office.code)
                  if t.id == token_id and t.revoked_at is None), None)
    if token is None:
        abort(404)
    return admin_page("admin/confirm.html", office, what="token", subject=token,
                      form=EmptyForm(formdata=None))


@bp.post("/<office_code>/people/tokens/<int:token_id>/revoke")
def revoke_token(office_code, token_id):
    office = admin_office(office_code)
    if not EmptyForm().validate_on_submit() or not accounts.revoke_token(
            get_session(), token_id, actor(), office_code=office.code):
        abort(404)
    get_session().commit()
    return redirect(url_for("admin.show_people", office_code=office.code), code=303)
