"""Browser tests: Debian's chromium driven by Playwright against the real server (gunicorn).

No browser is downloaded: the setup installs the Debian package when it can. Without chromium
these tests skip with a clear message — except in CI, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD
from tests.support.live_server import cli, reserve_port, serving

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 320)
# Pages beyond the foundation's are checked at phone width, the layout most likely to break;
# the foundation pages (same layout and components) are checked wide as well.
PHONE = (320,)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict:
    instance = tmp_path_factory.mktemp("live-instance")
    env = {**os.environ, "INSTANCE_PATH": str(instance), "RATE_LIMITS": "off",
           "DATABASE_URL": f"sqlite:///{instance}/live.sqlite3", "PYTHONUNBUFFERED": "1"}
    env.pop("TEST_DATABASE_URL", None)
    return env


@pytest.fixture(scope="session")
def live_server(server_env) -> str:
    """Base URL of Rekam served by gunicorn, as `make run` serves it, over a seeded database."""
    cli(server_env, "seed-demo")
    listener = reserve_port()
    server_env["BASE_URL"] = f"http://127.0.0.1:{listener.getsockname()[1]}"
    log_path = Path(server_env["INSTANCE_PATH"]) / "server.log"
    with serving(listener, server_env, log_path, workers=1, threads=8, jobs=True) as base:
        yield base


@pytest.fixture(scope="session")
def staff_login(server_env, live_server):
    """staff_login(page, role) signs a browser page in as a fresh user of that role."""
    made: dict[str, str] = {}

    def login(page, role: str = "officer") -> str:
        if role not in made:
            username = f"live-{role.replace('_', '-')}"
            scope = (["--desa", "3515041003"] if role == "desa_staff"
                     else ["--office", "351504"])
            cli(server_env, "users", "add", username, "--role", role, *scope,
                      "--password-stdin", stdin=TEST_PASSWORD + "\n")
            made[role] = username
        page.goto(live_server + "/login")
        page.fill("#username", made[role])
        page.fill("#password", TEST_PASSWORD)
        page.click("button[type=submit]")
        return made[role]

    return login


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed: `apt-get install chromium` to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(width=1280, javascript=True, **context_options) → a Playwright page."""
    contexts = []

    def make(width: int = 1280, javascript: bool = True, **options):
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      java_script_enabled=javascript, base_url=live_server,
                                      **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# Loaded, with a document, and no htmx request or swap under way (htmx marks the elements).
SETTLED = """() => document.readyState === "complete" && document.documentElement !== null
    && document.body !== null
    && document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling") === null"""


def settle(page) -> None:
    """Wait until the page has finished what the last action started: a navigation (a click on a
    submit button returns once it has begun, not once the new page is there) or an htmx swap.
    axe run on a page still navigating reads a document that is gone (`documentElement` null)."""
    page.wait_for_load_state("load")
    page.wait_for_function(SETTLED)


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    settle(page)
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return result.response["violations"]


def assert_accessible(page) -> None:
    """Zero axe-core violations (WCAG 2.2 AA tags) and no sideways scrolling at this width."""
    violations = axe_violations(page)
    detail = "\n".join(f"{v['id']}: {v['help']} — " + ", ".join(
        str(n["target"]) for n in v["nodes"][:5]) for v in violations)
    assert not violations, f"axe violations on {page.url}:\n{detail}"
    settle(page)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at this width"
