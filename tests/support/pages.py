"""Every HTML page a test fetches is checked the same way, so accessibility slips fail everywhere."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bs4 import BeautifulSoup

LABELLED_ELSEWHERE = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Page:
    status: int
    html: str
    soup: BeautifulSoup
    response: object

    @property
    def h1(self) -> str:
        return self.soup.h1.get_text(" ", strip=True)

    @property
    def text(self) -> str:
        return self.soup.get_text(" ", strip=True)

    def links(self) -> list[str]:
        return [a["href"] for a in self.soup.find_all("a", href=True)]

    def select(self, css: str):
        return self.soup.select(css)

    def select_one(self, css: str):
        return self.soup.select_one(css)

    def form_fields(self, css: str = "form") -> dict[str, str]:
        form = self.soup.select_one(css)
        return {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}


def check_html(html: str, *, fragment: bool = False) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    if not fragment:
        root = soup.find("html")
        if root is None or root.get("lang") not in ("id", "en"):
            problems.append("<html> has no lang of id/en")
        if soup.title is None or not soup.title.get_text(strip=True).endswith("– Rekam"):
            problems.append("<title> must end with '– Rekam'")
        h1s = soup.find_all("h1")
        if len(h1s) != 1:
            problems.append(f"expected exactly one h1, found {len(h1s)}")
        if soup.find("main") is None:
            problems.append("no <main> landmark")
        if soup.find(attrs={"style": True}) or soup.find("style"):
            problems.append("inline style (the CSP forbids it)")
        if any(not s.get("src") for s in soup.find_all("script")):
            problems.append("inline script (the CSP forbids it)")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    problems += [f"duplicate id {i!r}" for i, n in ids.items() if n > 1]
    labels_for = {label.get("for") for label in soup.find_all("label")}
    for field in soup.find_all(["input", "select", "textarea"]):
        if field.name == "input" and field.get("type", "text") in LABELLED_ELSEWHERE:
            continue
        labelled = (
            field.get("id") in labels_for
            or field.find_parent("label") is not None
            or field.get("aria-label")
            or field.get("aria-labelledby")
        )
        if not labelled:
            problems.append(f"unlabelled {field.name} name={field.get('name')!r}")
    for img in soup.find_all("img"):
        if img.get("alt") is None:
            problems.append(f"img without alt: {img.get('src')}")
    assert not problems, "HTML checks failed:\n  " + "\n  ".join(problems)
    return soup


def fetch(client, url: str, *, status: int = 200, method: str = "GET", fragment: bool = False,
          **kwargs) -> Page:
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == status, (
        f"{method} {url}: expected {status}, got {response.status_code}\n"
        + response.get_data(as_text=True)[:2000]
    )
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html", f"{url} answered {response.mimetype}"
    return Page(response.status_code, html, check_html(html, fragment=fragment), response)
