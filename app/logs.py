"""Log lines without personal data (issue 9.6, DESIGN §9).

- A receipt token (`/v/{token}`, `/api/v1/verify/{token}`) carries the holder's name and the last
  4 digits of the NIK: logs show a short hash of it instead, enough to tie lines together.
- Control characters in anything a client sent (paths, headers) are escaped, so a request for
  `/%1b[2J` cannot rewrite an operator's terminal or forge a log line with a newline.
- An exception is logged with its type, its traceback's frames and, for a database error, the
  statement (parameters are hidden by the engines) and SQLSTATE / constraint — never the
  exception's message: a database quotes the failing row in it (PostgreSQL's "Failing row
  contains (…name, phone…)") and a ValueError quotes the input.

Used by the app's error log (app/errors.py), gunicorn's access and error logs (`make run`, via
`--logger-class app.logs.GunicornLogger`) and the job worker (app/jobs.py).
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
import unicodedata

from gunicorn.glogging import Logger as _GunicornLogger

# The token is everything after the prefix up to the next slash, query or space.
# A digest already put in (`/v/~1a2b…`) is left alone, so redacting twice changes nothing.
_TOKEN_IN_PATH = re.compile(r"(/v/|/api/v1/verify/)([^~/?#\s\"][^/?#\s\"]*)")
_STATEMENT_LIMIT = 500


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def escape_controls(text: str) -> str:
    """Control, format (bidi) and separator characters as visible escapes (\\x1b, \\u202e)."""
    if text.isprintable():  # the common case, checked in C
        return text
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp") or char == "\x7f":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def redact(text: str) -> str:
    """A string from a request, fit for a log: tokens hashed, control characters escaped."""
    if "/v" in text:
        text = _TOKEN_IN_PATH.sub(lambda m: f"{m.group(1)}~{token_digest(m.group(2))}",
                                  text)
    return escape_controls(text)


def _database_facts(error: BaseException) -> list[str]:
    facts = []
    statement = getattr(error, "statement", None)
    if isinstance(statement, str):
        facts.append("statement: " + " ".join(statement.split())[:_STATEMENT_LIMIT])
    original = getattr(error, "orig", None)
    if original is not None:
        facts.append(f"driver error: {type(original).__module__}.{type(original).__name__}")
        for name in ("sqlstate", "sqlite_errorname"):
            if getattr(original, name, None):
                facts.append(f"{name}: {getattr(original, name)}")
        diag = getattr(original, "diag", None)
        for name in ("table_name", "column_name", "constraint_name"):
            value = getattr(diag, name, None) if diag is not None else None
            if value:
                facts.append(f"{name}: {value}")
    return facts


def safe_traceback(exc_info) -> str:
    """The traceback of an exception (and of its causes) without any exception message."""
    error, lines, seen = exc_info[1], [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if lines:
            lines.append("\ncaused by / while handling:\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld: it may quote "
                     "personal data)\n")
        lines.extend(f"  {fact}\n" for fact in _database_facts(error))
        error = error.__cause__ or error.__context__
    return "".join(lines).rstrip("\n")


class PersonalDataFilter(logging.Filter):
    """Rewrites a record before any handler formats it: message redacted, traceback safe."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a malformed record must not drop the line)
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info)
            record.exc_info = None
        return True


def protect(logger: logging.Logger) -> None:
    if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
        logger.addFilter(PersonalDataFilter())


class GunicornLogger(_GunicornLogger):
    """Gunicorn's logger with every access-log atom redacted and the error log filtered."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        protect(self.error_log)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
