"""Helpers for the resellers' tests: onboarding a reseller the way the system administrator
does, and its administrator choosing a PIN through the welcome e-mail's link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support import ApiClient, unique

LINK = re.compile(r"/reset\?token=([A-Za-z0-9_\-]+)")


@dataclass
class Onboarded:
    reseller: dict[str, Any]
    identifier: str
    email: str
    pin: str
    api: ApiClient


def welcome_token(smtp: Any, email: str) -> str:
    found = smtp.wait_for(lambda m: email.lower() in str(m["To"]).lower(), timeout=20)
    assert found, f"no welcome e-mail to {email}"
    body = found[0].get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def onboard(platform: Any, admin_api: ApiClient, smtp: Any, **overrides: Any) -> Onboarded:
    ident = unique("rs")
    body = {"name": f"Télécom {ident}", "identifier": ident, "email": f"{ident}@rs.example",
            "country": "CA", "language": "en", "currency": "CAD", "trial_days": 14,
            **overrides}
    made = admin_api.post("/api/v1/admin/resellers", json=body)
    assert made.status_code == 201, made.text
    token = welcome_token(smtp, body["email"])
    pin = f"pin-{unique()}"
    done = ApiClient(platform.base_url).post("/api/v1/auth/reset",
                                             json={"token": token, "new_password": pin})
    assert done.status_code == 204, done.text
    client = ApiClient(platform.base_url).login(body["identifier"], pin)
    return Onboarded(made.json(), body["identifier"], body["email"], pin, client)


@pytest.fixture
def onboarded(platform, admin_api, smtp) -> Onboarded:
    return onboard(platform, admin_api, smtp)
