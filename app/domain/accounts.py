"""Staff accounts and API tokens.

Passwords are hashed with argon2 (DESIGN §9); API tokens are long random strings, so a plain
SHA-256 is enough to keep them useless if the table leaks.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, update
from sqlmodel import Session, select

from ..models import STAFF_ROLES, TOKEN_ROLES, ApiToken, Desa, Office, User, utcnow
from . import audit, staff_sessions

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
_dummy_hash: str | None = None


def _unknown_user_hash() -> str:
    """Verified against when the username is unknown, so both answers take as long.
    Made on first use: hashing at import would slow every worker's start."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hash


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Swap the argon2 parameters (tests use the cheapest profile; hashes say their own)."""
    global _hasher, _dummy_hash
    _hasher, _dummy_hash = hasher, None
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD = 10
OFFICE_ROLES = {"kiosk", "officer", "capture_agent"}
TOKEN_PREFIX = "rekam_"  # noqa: S105  (a prefix, not a secret)
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


class AccountError(ValueError):
    """A refused account or token request; .args[0] says why in plain English for the CLI."""


@dataclass(frozen=True)
class Scope:
    office_code: str | None
    desa_code: str | None


def resolve_scope(session: Session, role: str, office_code: str | None,
                  desa_code: str | None) -> Scope:
    """Check a role's scope (DESIGN §6): desa staff need a desa, counter roles an office."""
    if desa_code is not None:
        desa = session.get(Desa, desa_code)
        if desa is None:
            raise AccountError(f"unknown desa {desa_code!r}")
        if office_code is not None and office_code != desa.office_code:
            raise AccountError(f"desa {desa_code} is not in office {office_code}")
        office_code = desa.office_code
    if office_code is not None and session.get(Office, office_code) is None:
        raise AccountError(f"unknown office {office_code!r}")
    if role == "desa_staff" and desa_code is None:
        raise AccountError("role desa_staff needs --desa")
    if role in OFFICE_ROLES and office_code is None:
        raise AccountError(f"role {role} needs --office")
    if role not in ("desa_staff",) and desa_code is not None:
        raise AccountError(f"role {role} takes no --desa")
    return Scope(office_code, desa_code)


def create_user(session: Session, username: str, password: str, role: str,
                office_code: str | None = None, desa_code: str | None = None,
                actor: str = "cli") -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("username: 2–60 characters, a–z, 0–9, dot, hyphen, underscore")
    if role not in STAFF_ROLES:
        raise AccountError(f"role must be one of {', '.join(STAFF_ROLES)}")
    _check_password(password)
    if session.exec(select(User).where(User.username == username)).first():
        raise AccountError(f"user {username!r} already exists")
    scope = resolve_scope(session, "officer" if role == "kiosk" else role, office_code, desa_code)
    user = User(username=username, password_hash=_hasher.hash(password), role=role,
                office_code=scope.office_code, desa_code=scope.desa_code)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", f"user:{user.id}", f"role={role}")
    return user


def _user_named(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must be at least {MIN_PASSWORD} characters")


def set_password(session: Session, username: str, password: str, actor: str = "cli",
                 keep_session_id: int | None = None) -> User:
    """A new password; every sign-in of the user ends (but keep_session_id, the one that
    changed it), so whoever knew the old password is out at once."""
    _check_password(password)
    user = _user_named(session, username)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    ended = staff_sessions.end_sessions_for_user(session, user.id, keep_session_id)
    audit.record(session, actor, "user.password", f"user:{user.id}", f"sessions_ended={ended}")
    return user


def disable_user(session: Session, username: str, actor: str = "cli") -> User:
    """The user can no longer sign in, and every sign-in they have ends now (a kiosk user is
    revoked the same way)."""
    user = _user_named(session, username)
    user.active = False
    session.add(user)
    ended = staff_sessions.end_sessions_for_user(session, user.id)
    audit.record(session, actor, "user.disable", f"user:{user.id}", f"sessions_ended={ended}")
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.exec(
        select(User).where(User.username == username.strip().lower(), User.active)
    ).first()
    try:
        _hasher.verify(user.password_hash if user else _unknown_user_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def mint_token(session: Session, role: str, office_code: str | None = None,
               desa_code: str | None = None, label: str = "",
               actor: str = "cli") -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is stored."""
    if role not in TOKEN_ROLES:
        raise AccountError(f"role must be one of {', '.join(TOKEN_ROLES)}")
    scope = resolve_scope(session, role, office_code, desa_code)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=hash_token(secret), role=role, office_code=scope.office_code,
                     desa_code=scope.desa_code, label=label[:100])
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.create", f"token:{token.id}", f"role={role}")
    return token, secret


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


# Built once: every API call looks its token up, and building the statement cost as much as
# running it (issue 11).
_LIVE_TOKEN = select(ApiToken).where(ApiToken.token_hash == sa.bindparam("token_hash"),
                                     ApiToken.revoked_at.is_(None))


def token_for(session: Session, secret: str) -> ApiToken | None:
    """The live token for a presented secret, or None (unknown, revoked, malformed)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return session.exec(_LIVE_TOKEN, params={"token_hash": hash_token(secret)}).first()


def token_needs_touch(token: ApiToken, now: datetime | None = None) -> bool:
    return (token.last_used_at is None
            or token.last_used_at < (now or utcnow()) - TOKEN_TOUCH_INTERVAL)


def touch_token(session: Session, token_id: int, now: datetime | None = None) -> None:
    """Note the token's last use, at most once a minute so reads stay reads."""
    now = now or utcnow()
    session.exec(
        update(ApiToken)
        .where(ApiToken.id == token_id,
               or_(ApiToken.last_used_at.is_(None),
                   ApiToken.last_used_at < now - TOKEN_TOUCH_INTERVAL))
        .values(last_used_at=now)
    )


def default_office(session: Session) -> str | None:
    """The office a counter-role token gets when none is named: the first by code."""
    return session.exec(select(Office.code).order_by(Office.code)).first()


def revoke_token(session: Session, token_id: int, actor: str = "cli",
                 office_code: str | None = None) -> bool:
    """`office_code`: only a token of that office (an office's admin revokes its own)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        return False
    if office_code is not None and token.office_code != office_code:
        return False
    token.revoked_at = utcnow()
    audit.record(session, actor, "token.revoke", f"token:{token.id}")
    return True


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(ApiToken.id)))


# --- issue 15 (F): the admin's people page ---


def office_users(session: Session, office_code: str) -> list[User]:
    """The office's staff (desa staff included: their office is their desa's)."""
    return list(session.exec(select(User).where(User.office_code == office_code)
                             .order_by(User.active.desc(), User.role, User.username)))


def office_tokens(session: Session, office_code: str) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.office_code == office_code)
                             .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id)))


def office_user(session: Session, office_code: str, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.office_code == office_code else None


def change_role(session: Session, user: User, role: str, desa_code: str | None,
                actor: str) -> User:
    """A new role and scope within the same office; the user's sign-ins end, so the old role's
    pages close at once."""
    if role not in STAFF_ROLES:
        raise AccountError(f"role must be one of {', '.join(STAFF_ROLES)}")
    scope = resolve_scope(session, "officer" if role == "kiosk" else role, user.office_code,
                          desa_code if role == "desa_staff" else None)
    before = user.role
    user.role, user.office_code, user.desa_code = role, scope.office_code, scope.desa_code
    session.add(user)
    ended = staff_sessions.end_sessions_for_user(session, user.id)
    audit.record(session, actor, "user.role", f"user:{user.id}",
                 f"{before}->{role} sessions_ended={ended}")
    return user
