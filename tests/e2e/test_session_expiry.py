"""Idle expiry end to end, on a platform whose sessions end after a few seconds without
activity (SB_SESSION_IDLE_SECONDS): the API answers 401, the portal sends the browser to
the sign-in page with the "signed out" notice."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from tests.conftest import IDLE_SECONDS
from tests.matrix.world import PortalClient
from tests.support import ApiClient, make_reseller


def idle_out(since: float) -> None:
    """Lets the idle time pass: expiry is a function of the clock, nothing to poll for
    without counting as activity."""
    time.sleep(max(0.0, since + IDLE_SECONDS + 1 - time.monotonic()))


def test_api_answers_401_once_the_session_is_idle(idle_platform, fast_hasher):
    user = make_reseller(idle_platform.accounts_db, fast_hasher)
    client = ApiClient(idle_platform.base_url).login(user.identifier, user.password)
    started = time.monotonic()
    alive = client.get("/api/v1/auth/session")
    assert alive.status_code == 200 and alive.json()["idle_timeout"] == IDLE_SECONDS
    idle_out(started)
    expired = client.get("/api/v1/auth/session")
    assert expired.status_code == 401, expired.text
    assert expired.json()["error"] == "unauthorized" and "expired" in expired.json()["message"]
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")
    # gone for good: the same token stays refused, a new sign-in works
    assert client.get("/api/v1/customers").status_code == 401
    assert ApiClient(idle_platform.base_url).login(user.identifier, user.password).token


def test_portal_redirects_an_idle_session_to_login_expired(idle_platform, fast_hasher):
    user = make_reseller(idle_platform.accounts_db, fast_hasher)
    portal = PortalClient(idle_platform.base_url).login(user.identifier, user.password)
    started = time.monotonic()
    home = portal.get("/customers")
    assert home.status_code == 200
    assert f'data-idle-timeout="{IDLE_SECONDS}"' in home.text
    idle_out(started)
    gone = portal.get("/customers?q=abc")
    assert gone.status_code == 303
    target = urlsplit(gone.headers["Location"])
    assert target.path == "/login"
    query = parse_qs(target.query)
    assert query["expired"] == ["1"] and query["next"] == ["/customers?q=abc"]
    page = portal.get(gone.headers["Location"])
    assert page.status_code == 200
    assert ("You were signed out" in page.text) or ("Vous avez été déconnecté" in page.text)
