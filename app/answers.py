"""Whole answers a worker keeps while nobody has written to the database (issue 11).

The public reads every phone and kiosk repeats — the office list, a week of slots, a receipt's
verification and its stored document — are the same bytes until someone writes. `@kept` on such
a view keeps its 200 answer per worker, and serves it again only while

- what answers are made of is unchanged since it was made: `Database.generation()` moves
  with every commit, by any process on the machine, that touches a table other than the
  bookkeeping ones (app/db.py `ChangeWatch`), so a cancel made through one worker is read at
  once through the other (DESIGN §4: the present);
- and the clock has not reached the moment the view said its answer turns (`turns_at`): a slot
  closing to online booking, a held-back share opening, a token expiring, a new day.

Where changes cannot be watched (PostgreSQL: several machines share it) nothing is kept and
every request is answered afresh. A request with credentials or a cookie session is never
answered from here, and the rate limits (decorators above this one) still count every request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import current_app, g, request
from werkzeug.datastructures import Headers

from .db import database
from .sessions import carries_session_cookie

KEEP_SECONDS = 60  # at most, whatever the view says: a rule we did not foresee turns by then
MAX_ANSWERS = 256  # per worker
MAX_BYTES = 512 * 1024  # a larger answer is not kept
# What besides the URL and the cookies makes two answers differ: the language, htmx.
KEY_ENVIRON = ("HTTP_ACCEPT_LANGUAGE", "HTTP_HX_REQUEST")


@dataclass(frozen=True)
class Kept:
    generation: int
    until: float  # time.time()
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: bool


class AnswerStore:
    """The kept 200 answers of one worker, the least recently used dropped past `size`."""

    def __init__(self, size: int = MAX_ANSWERS):
        self._answers: OrderedDict[tuple, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: tuple, generation: int, now: float) -> Kept | None:
        with self._lock:
            kept = self._answers.get(key)
            if kept is None:
                return None
            if kept.generation != generation or now >= kept.until:
                del self._answers[key]
                return None
            self._answers.move_to_end(key)
            return kept

    def put(self, key: tuple, kept: Kept) -> None:
        with self._lock:
            self._answers[key] = kept
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)


def turns_at(moment: datetime | float | None) -> None:
    """The view's answer is no longer true from this moment (the earliest given counts)."""
    if moment is None:
        return
    seconds = moment.timestamp() if isinstance(moment, datetime) else float(moment)
    g.answer_turns_at = min(seconds, g.get("answer_turns_at", seconds))


def _store() -> AnswerStore | None:
    if not current_app.config.get("KEEP_ANSWERS", True):
        return None
    return current_app.extensions.setdefault("rekam_answers", AnswerStore())


CONDITIONAL_ENVIRON = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE",
                       "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE")


def conditional(response):
    """response.make_conditional(request) when the request asks anything of it (a 304, a
    range): else it would only parse the absent headers."""
    environ = request.environ
    if any(name in environ for name in CONDITIONAL_ENVIRON):
        return response.make_conditional(request)
    return response


def request_key() -> tuple:
    """What tells two answers of one view apart: the request as it came (raw WSGI values, since
    parsing the cookies and quoting the path cost as much as the rest of a kept answer)."""
    environ = request.environ
    return (request.endpoint, environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
            environ.get("HTTP_COOKIE", ""), *(environ.get(name) for name in KEY_ENVIRON))


def _key() -> tuple | None:
    if "HTTP_AUTHORIZATION" in request.environ or carries_session_cookie():
        return None  # an answer for someone in particular
    return request_key()


def kept(view: Callable) -> Callable:
    @wraps(view)
    def answer(*args, **kwargs):
        store = _store() if request.method == "GET" else None
        key = _key() if store is not None else None
        generation = database().generation() if key is not None else None
        if generation is None:
            return view(*args, **kwargs)
        now = time.time()
        hit = store.get(key, generation, now)
        if hit is not None:
            response = current_app.response_class(hit.body, 200, Headers(hit.headers))
            return conditional(response) if hit.etag else response
        response = current_app.make_response(view(*args, **kwargs))
        until = min(g.pop("answer_turns_at", now + KEEP_SECONDS), now + KEEP_SECONDS)
        if response.status_code == 200 and not response.direct_passthrough \
                and "Set-Cookie" not in response.headers and until > now:
            body = response.get_data()
            if len(body) <= MAX_BYTES:
                headers = tuple((k, v) for k, v in response.headers.items()
                                if k != "Content-Length")
                store.put(key, Kept(generation, until, headers, body,
                                    "ETag" in response.headers))
        return response

    return answer
