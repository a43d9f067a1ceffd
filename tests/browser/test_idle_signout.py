"""The page signs an idle user out by itself: on a platform whose sessions end after a few
seconds, Chromium left alone on a signed-in page lands on the sign-in page with the notice."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.conftest import IDLE_SECONDS
from tests.support import make_reseller


def test_idle_page_goes_to_login_expired_by_itself(idle_platform, fast_hasher,
                                                   browser_page: Any):
    user = make_reseller(idle_platform.accounts_db, fast_hasher)
    base = idle_platform.base_url
    page = browser_page
    page.goto(f"{base}/login")
    page.get_by_label("Identifiant ou courriel").fill(user.identifier)
    page.locator("#password").fill(user.password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base}/")
    assert page.locator("body").get_attribute("data-idle-timeout") == str(IDLE_SECONDS)
    # no click, no key: the page's own timer (idle time + 2 s) must take it away
    expect(page).to_have_url(re.compile(r"/login\?expired=1$"),
                             timeout=(IDLE_SECONDS + 2 + 10) * 1000)
    expect(page.locator("body")).to_contain_text("Vous avez été déconnecté")
    # and the server agrees: the old session is gone
    page.goto(f"{base}/customers")
    expect(page).to_have_url(re.compile(r"/login\?"))
