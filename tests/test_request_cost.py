"""Issue 11: the per-request base cost is paid only where a request needs it, and no route
skips the security headers to get faster."""

from __future__ import annotations

import brotli
import pytest

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "X-Frame-Options", "Cross-Origin-Opener-Policy", "Permissions-Policy")
ROUTES = ("/", "/api/v1/offices", "/.well-known/jwks.json", "/api/v1/verify/x.y.z",
          "/api/v1/offices/351504/slots", "/no-such-page", "/healthz")


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_answers_with_the_security_headers(client, path):
    answer = client.get(path)
    for name in SECURITY_HEADERS:
        assert answer.headers.get(name), (path, name)


def test_the_api_does_no_cookie_session_work(app, client, monkeypatch):
    """A session cookie sent to the API is neither read nor answered: its signing serializer
    (a key derivation) is not even built, no Set-Cookie, no `Vary: Cookie` (the API
    authenticates with bearer tokens)."""
    page = client.get("/login")  # a page that starts a session
    assert page.headers.getlist("Set-Cookie")
    interface, built = app.session_interface, []
    original = interface.get_signing_serializer
    monkeypatch.setattr(interface, "get_signing_serializer",
                        lambda a: built.append(1) or original(a))
    for path in ("/api/v1/offices", "/.well-known/jwks.json", "/api/v1/verify/x.y.z"):
        answer = client.get(path)
        assert not answer.headers.getlist("Set-Cookie"), path
        assert "Cookie" not in answer.headers.get("Vary", ""), path
    assert built == []
    client.get("/login")
    assert built  # pages still have their session


def test_a_cached_page_is_compressed_once_and_served_compressed(app, client):
    first = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    again = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert again.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in again.headers["Vary"]
    assert brotli.decompress(again.data) == client.get("/").data
    assert again.data == first.data or first.headers.get("Content-Encoding") == "br"
    kept = next(iter(app.extensions["page_cache"].values()))
    assert kept[4]["br"] == again.data  # the compressed bytes live with the cached page
    plain = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert plain.headers["Content-Encoding"] == "gzip"
