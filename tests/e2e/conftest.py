"""End-to-end tests: Debian's headless Chromium (launched by path; nothing is downloaded) driven by
Playwright against the app served by pytest-django's live server on a real PostGIS test database.

Screenshots of each step go to artifacts/e2e/ (git-ignored; CI may keep them).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium is expected at {CHROMIUM} (scripts/setup.sh installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Recorder:
    """Every response the page received, with its body (for 'never in any network response' checks)."""

    def __init__(self, page):
        self.bodies: list[tuple[str, str]] = []
        page.on("response", self._keep)

    def _keep(self, response):
        try:
            self.bodies.append((response.url, response.text()))
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            self.bodies.append((response.url, ""))


@pytest.fixture
def page(browser, live_server, request, settings):
    # The map draws from the project's own data; no tile server is reachable in tests.
    settings.MAP_TILE_URL = ""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.recorder = Recorder(page)
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a screenshot of a step as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
