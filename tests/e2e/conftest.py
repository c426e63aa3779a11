"""Browser tests in Debian's Chromium through Playwright (never a downloaded browser build).

pytest-playwright's sync API keeps an event loop running in the test thread, so Django's ORM calls made by
fixtures need DJANGO_ALLOW_ASYNC_UNSAFE. pytest-django's live_server serves static files through the
staticfiles finders, so the vendored libraries (scripts/build_assets.py) are served from the source tree.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is absent: apt-get install chromium fonts-noto-cjk (.ci/run does)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def page(db, page):
    """pytest-playwright's page, set up after the test database and closed before it rolls back.

    The live server answers each request in its own thread on the test's (shared) database connection; a request
    still running while the test's transaction rolls back can leave the test's rows committed (CI saw the next
    test's demo city collide with the last one). So wait until the page has no request in flight, then close it.
    """
    yield page
    try:
        page.wait_for_load_state("networkidle", timeout=10_000)
    finally:
        page.close()


@pytest.fixture
def offline_page(page, live_server):
    """A page that may only reach the live server: any other request is blocked and recorded."""
    blocked: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    page.blocked_requests = blocked
    return page
