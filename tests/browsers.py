"""Browser fixtures: Debian's Chromium driven by Playwright (no browser download).

One Chromium for the whole run, registered from tests/conftest.py: Playwright's sync API
cannot start a second instance while the first one's loop runs, so no folder may define
its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import LOG_DIR, require_tool

CHROMIUM = Path("/usr/bin/chromium")
# No network calls home, no GPU: the browser has to start the same way on a bare CI box.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = LOG_DIR / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    require_tool("chromium", str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh profile (no cookies) at a laptop-sized window, in Quebec French."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="fr-CA")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def shoot(browser_page: Any) -> Any:
    """Saves a full-page screenshot under var/test-logs/screenshots/ for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take
