"""Only ever redirect to a path on this site (no open redirects through ?next=)."""

from urllib.parse import urlsplit


def local_path(target: str | None, default: str = "/") -> str:
    if not target or len(target) > 500:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target
