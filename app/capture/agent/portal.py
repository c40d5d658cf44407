"""The agent's HTTP client for the portal's capture API (bearer token of role capture_agent).
Standard library only; every call has a timeout, and any failure is the caller's to retry."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass


class Unreachable(ConnectionError):
    """No answer: refused, reset, timed out, a proxy's garbage."""


@dataclass
class Answer:
    status: int
    body: dict


class Portal:
    def __init__(self, base_url: str, token: str, timeout: float = 10.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("--server must be an http(s) URL")
        self.base = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, *, json_body=None, data: bytes | None = None,
             content_type: str = "application/json") -> Answer:
        if json_body is not None:
            data = json.dumps(json_body).encode()
        # the base is the operator's --server (http/https), never a request's input
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={  # noqa: S310
            "Authorization": f"Bearer {self.token}", "Content-Type": content_type,
            "Accept": "application/json", "Accept-Language": "id"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as answer:  # noqa: S310
                return Answer(answer.status, _body(answer.read()))
        except urllib.error.HTTPError as error:
            try:
                body = _body(error.read())
            except (OSError, ValueError):
                raise Unreachable(f"HTTP {error.code} without a readable body") from error
            if error.code >= 500 or error.code == 429:
                raise Unreachable(f"HTTP {error.code}") from error
            return Answer(error.code, body)
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError, ValueError) as error:
            raise Unreachable(str(error)) from error


def _body(raw: bytes) -> dict:
    if not raw:
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value
