"""Idempotency keys for API POSTs that create something (IETF httpapi idempotency-key draft).

A client that lost the answer (a dropped connection, a killed worker) sends the request again
with the same key and gets the first answer, byte for byte, instead of a second booking or a
409 without the code.

- `claim` takes the key in a short transaction of its own: a second request with the key while
  the first is still working is told so (in use), not run twice. A claim whose request died
  lapses after `LEASE`, so a retry after a crash is not refused for a day.
- `complete` writes the answer in the caller's transaction, the one that creates the booking:
  a kill leaves both or neither.
- Only keyed hashes of the key and the request are kept, never the request (it holds the NIK);
  an answer that holds 16 digits in a row is refused rather than stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import IdempotencyRecord, utcnow

RETENTION = timedelta(hours=24)
LEASE = timedelta(seconds=60)
MAX_KEY_LENGTH = 255
_KEY = re.compile(r"[\x21-\x7e]{1,255}", re.ASCII)  # printable ASCII, no spaces
_NIK_LIKE = re.compile(r"(?<!\d)\d{16}(?!\d)")


class BadKey(ValueError):
    """The header is not a usable key."""


@dataclass(frozen=True)
class Claimed:
    """This request holds the key: run it, then `complete` in the same transaction."""

    record_id: int


@dataclass(frozen=True)
class Replay:
    """The key already has an answer for this very request: send it again."""

    status: int
    body: str


@dataclass(frozen=True)
class InUse:
    """Another request with this key is still being answered."""


@dataclass(frozen=True)
class Reused:
    """The key was used for another request (another body or another address)."""


Outcome = Claimed | Replay | InUse | Reused


def parse_key(header: str) -> str:
    """The key from the header: an sf-string (`"abc"`, as the draft writes it) or a bare token
    (as most clients send it)."""
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not _KEY.fullmatch(value):
        raise BadKey(value)
    return value


def request_fingerprint(data_key: bytes, method: str, path: str, body: bytes) -> str:
    """A keyed hash of what was asked: the same request gives the same hash; without DATA_KEY
    it cannot be matched against guessed NIKs. JSON bodies are compared by content, so a client
    that re-serialises the same object is not refused."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode()
    except (ValueError, RecursionError):
        canonical = body
    message = b"\n".join([method.upper().encode(), path.encode("utf-8", "surrogatepass"),
                          canonical])
    return hmac.new(data_key, message, hashlib.sha256).hexdigest()


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _existing(session: Session, token_id: int, key_hash: str) -> IdempotencyRecord | None:
    return session.exec(select(IdempotencyRecord).where(
        IdempotencyRecord.token_id == token_id, IdempotencyRecord.key_hash == key_hash)
        .execution_options(populate_existing=True)).first()


def claim(session: Session, token_id: int, key: str, request_hash: str,
          now: datetime | None = None) -> Outcome:
    """Take the key for this request, or say why not. Commits its own short transaction."""
    now = now or utcnow()
    key_hash = _key_hash(key)
    # An expired record is as good as none: the key may be used afresh.
    session.execute(sa.delete(IdempotencyRecord).where(
        IdempotencyRecord.token_id == token_id, IdempotencyRecord.key_hash == key_hash,
        IdempotencyRecord.expires_at <= now))
    record = IdempotencyRecord(token_id=token_id, key_hash=key_hash, request_hash=request_hash,
                               locked_until=now + LEASE, created_at=now,
                               expires_at=now + RETENTION)
    try:
        with session.begin_nested():
            session.add(record)
        session.commit()
        return Claimed(record.id)
    except IntegrityError:
        pass  # the unique (token, key) says someone has it: read what they left
    session.rollback()
    found = _existing(session, token_id, key_hash)
    outcome: Outcome
    if found is None:  # it expired or was released between our insert and this read
        outcome = InUse()
    elif not hmac.compare_digest(found.request_hash, request_hash):
        outcome = Reused()
    elif found.state == "done":
        outcome = Replay(found.response_status, found.response_body)
    elif found.locked_until > now:
        outcome = InUse()
    else:
        # The request that held it died before answering: take it over, exactly one taker.
        taken = session.execute(
            sa.update(IdempotencyRecord)
            .where(IdempotencyRecord.id == found.id, IdempotencyRecord.state == "in_flight",
                   IdempotencyRecord.locked_until == found.locked_until)
            .values(locked_until=now + LEASE)
            .execution_options(synchronize_session=False)).rowcount
        outcome = Claimed(found.id) if taken == 1 else InUse()
    session.commit()
    return outcome


def complete(session: Session, claimed: Claimed, status: int, body: str) -> None:
    """Keep the answer, in the transaction of what the request created (the caller commits)."""
    if _NIK_LIKE.search(body):
        raise ValueError("refusing to store an answer that looks like it holds a NIK")
    done = session.execute(
        sa.update(IdempotencyRecord)
        .where(IdempotencyRecord.id == claimed.record_id,
               IdempotencyRecord.state == "in_flight")
        .values(state="done", response_status=status, response_body=body)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise RuntimeError("idempotency claim lost before the answer was stored")


def release(session: Session, claimed: Claimed) -> None:
    """The request created nothing (refused, or failed): free the key for a retry. Commits."""
    session.rollback()
    session.execute(sa.delete(IdempotencyRecord).where(
        IdempotencyRecord.id == claimed.record_id, IdempotencyRecord.state == "in_flight"))
    session.commit()


def purge_expired(session: Session, now: datetime | None = None, limit: int | None = None) -> int:
    """Delete records past their expiry, at most `limit` at a time (the retention job calls
    this); the caller commits."""
    expired = sa.select(IdempotencyRecord.id).where(
        IdempotencyRecord.expires_at <= (now or utcnow()))
    if limit is not None:
        expired = expired.limit(limit)
    ids = list(session.execute(expired).scalars())
    if not ids:
        return 0
    result = session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(ids)))
    return result.rowcount or 0
