"""A reseller ready to take sign-ups: a catalogue (plans at retail prices, an enabled
promotion), numbers in its pool, and a sign-up link; helpers to start a sign-up like a
reseller's website does and to read the verification link from the captured e-mail."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from gateway.areas.signup import timetrap
from sbcommon import keys
from tests.catalogue.conftest import Shop, ok, open_shop
from tests.numbering.conftest import fresh_numbers
from tests.support import ApiClient, unique

VERIFY_URL = re.compile(r"(https?://\S+/signup/verify\?token=[A-Za-z0-9_-]+)")


@dataclass
class SignupShop:
    shop: Shop
    link: dict[str, Any]  # a company sign-up link pre-selecting the plan and the promotion
    numbers: list[str]  # free numbers of its pool (area code 514)

    @property
    def token(self) -> str:
        return self.link["url"].rsplit("/", 1)[-1]


@pytest.fixture(autouse=True)
def fresh_limits(databases):
    """Every test signs up from 127.0.0.1: each starts with that address's sign-up count
    and numbers held at zero (the limit test fills them on purpose)."""
    with databases["accounts"].begin() as session:
        session.execute(text("DELETE FROM signin_limits WHERE key LIKE 'signup:%'"))
    with databases["numbering"].begin() as session:
        session.execute(text("DELETE FROM number_holds"))


@pytest.fixture
def signup_shop(platform, accounts_db, fast_hasher, admin_api) -> SignupShop:
    shop = open_shop(platform, accounts_db, fast_hasher, admin_api)
    numbers = fresh_numbers(4, area="514")
    for number in numbers:
        ok(shop.api.post("/api/v1/numbers", json={"number": number}), 201)
    link = ok(shop.api.post("/api/v1/signup-links", json={
        "kind": "company", "plan_id": shop.items["plan"]["id"],
        "promotion_id": shop.promotion["id"]}), 201)
    return SignupShop(shop, link, numbers)


def old_form_token(seconds: float = 10) -> str:
    """A form token as if the form had been served ``seconds`` ago."""
    return timetrap.issue(time.time() - seconds, keys.ring())


def signup_body(shop: SignupShop, **overrides: Any) -> dict[str, Any]:
    tag = unique("s")
    body = {"link": shop.token, "form_token": old_form_token(), "name": f"Signup {tag}",
            "email": f"{tag}@signup.example", "country": "CA", "language": "en",
            "terms_accepted": True}
    body.update(overrides)
    return body


def start(base_url: str, body: dict[str, Any]) -> Any:
    return ApiClient(base_url).post("/api/v1/public/signup", json=body)


def verification_link(smtp: Any, email: str, timeout: float = 20) -> str:
    found = smtp.wait_for(lambda m: email.lower() in str(m["To"]).lower(), timeout=timeout)
    assert found, f"no e-mail reached {email}"
    text_part = found[-1].get_body(preferencelist=("plain",)).get_content()
    match = VERIFY_URL.search(text_part)
    assert match, text_part
    return match.group(1)


def mails_to(smtp: Any, email: str) -> list[Any]:
    return smtp.to(email)
