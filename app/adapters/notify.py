"""Notifications to citizens: always an outbox row; delivery through a webhook when configured.

No SMS or WhatsApp provider is built in: `NOTIFY_WEBHOOK_URL` names a gateway that receives
`{"id", "to", "kind", "body"}` as JSON (with `Authorization: Bearer NOTIFY_WEBHOOK_TOKEN` when set)
and answers 2xx once it has taken the message. Without it, messages wait in the outbox, where
staff can see them.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, select

from ..models import Booking, OutboxMessage, utcnow

MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 10
# Messages that carry a secret (a one-time code, a lost booking code): once the gateway took
# one, its text is not kept. Until then it waits here, as every message does.
SECRET_KINDS = ("manage_code", "lost_code")
SENT_SECRET_BODY = "(terkirim; isinya tidak disimpan)"  # noqa: S105  (not a password)


def queue(session: Session, booking: Booking | None, kind: str, body: str,
          recipient: str | None = None, now: datetime | None = None) -> OutboxMessage:
    message = OutboxMessage(
        booking_id=booking.id if booking else None, kind=kind, body=body,
        recipient=recipient if recipient is not None else (booking.phone if booking else None),
        created_at=now or utcnow())
    session.add(message)
    session.flush()
    return message


def webhook_settings() -> tuple[str | None, str | None]:
    return os.environ.get("NOTIFY_WEBHOOK_URL") or None, \
        os.environ.get("NOTIFY_WEBHOOK_TOKEN") or None


def post_json(url: str, payload: dict, token: str | None) -> None:
    """POST to the gateway; raises on a network error or a non-2xx answer."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("NOTIFY_WEBHOOK_URL must be an http(s) URL")
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),  # noqa: S310
                                     headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "not accepted", None, None)


def deliver_pending(session: Session, url: str | None = None, token: str | None = None,
                    now: datetime | None = None, limit: int = 100,
                    send: Callable[[str, dict, str | None], None] = post_json) -> int:
    """Hand waiting messages to the gateway; returns how many it took. Without a gateway this
    does nothing: the outbox is the record."""
    if url is None:
        url, token = webhook_settings()
    if url is None:
        return 0
    now = now or utcnow()
    sent = 0
    for message in session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")
                                .order_by(OutboxMessage.id).limit(limit)):
        if not message.recipient:
            message.status = "no_recipient"
            continue
        try:
            send(url, {"id": message.id, "to": message.recipient, "kind": message.kind,
                       "body": message.body}, token)
        except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
            continue
        message.attempts += 1
        message.status, message.sent_at = "sent", now
        if message.kind in SECRET_KINDS:
            message.body = SENT_SECRET_BODY
        sent += 1
    session.flush()
    return sent
