"""HTML to PDF with WeasyPrint: `render_pdf(html, base_url) -> bytes`.

WeasyPrint is imported on first use (it takes about a second) and then stays loaded for the life
of the process, so a render costs only the layout (about 0.1–0.2 s for a page).

Rendering never touches the network: only `data:` URIs and files under `base_url`'s folder are
fetched (pictograms, stylesheets, fonts). A page that, through some bug, carried a link to
another host or to a file elsewhere on the server gets a missing image instead of a request
made by the server (SSRF) or a local file in the document.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit


def render_pdf(html: str, base_url: str) -> bytes:
    """`base_url` is a `file://` URL of a folder (ending in "/") that relative links resolve in,
    e.g. the project root or `static/`, as `Path(...).as_uri() + "/"`."""
    from weasyprint import HTML

    fetcher = _fetcher_class()(_local_root(base_url))
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def _local_root(base_url: str) -> Path | None:
    parts = urlsplit(str(base_url))
    if parts.scheme != "file":
        return None
    path = Path(unquote(parts.path))
    return (path if str(base_url).endswith("/") else path.parent).resolve()


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Fetches `data:` URIs and files inside one folder; refuses everything else."""

        def __init__(self, root: Path | None):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self._root = root

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme not in ("data", "file"):
                raise ValueError(f"{scheme or 'relative'} URLs are not fetched")
            if scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if self._root is None or not path.is_relative_to(self._root):
                    raise ValueError("file outside the document's folder")
            return super().fetch(url, headers)

    return LocalOnlyFetcher
