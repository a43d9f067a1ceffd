"""Two affiliated accounts of one reseller, each with a user and a number, and the helpers
the organisations' tests share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.numbering.conftest import fresh_numbers
from tests.support import ApiClient, unique

ORGS = "/api/v1/organisations"


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.request.method, resp.request.url, resp.text[:500])
    return resp.json() if resp.content else None


def add_user(api: ApiClient, customer_id: str, name: str, extension: str | None) -> dict:
    body = {"email": f"{unique()}@staff.example", "display_name": name}
    if extension:
        body["extension"] = extension
    return ok(api.post(f"/api/v1/customers/{customer_id}/users", json=body), 201)


def give_number(api: ApiClient, customer_id: str) -> str:
    number = fresh_numbers(1)[0]
    ok(api.post("/api/v1/numbers", json={"number": number}), 201)
    ok(api.post(f"/api/v1/customers/{customer_id}/numbers", json={"numbers": [number]}), 201)
    return number


@dataclass
class Affiliated:
    organisation: dict[str, Any]
    a: dict[str, Any]  # the caller's account (in France: +1 numbers are international)
    b: dict[str, Any]
    a_user: dict[str, Any]
    b_user: dict[str, Any]
    b_number: str

    def members_path(self, customer_id: str) -> str:
        return f"{ORGS}/{self.organisation['id']}/members/{customer_id}"


@pytest.fixture
def affiliated(reseller_api) -> Affiliated:
    tag = unique("org")
    a = reseller_api.create_customer(kind="company", start="production", country="FR",
                                     name=f"Lyon branch {tag}")
    b = reseller_api.create_customer(kind="company", start="production", country="CA",
                                     name=f"Montréal branch {tag}")
    a_user = add_user(reseller_api, a["id"], f"Alice {tag}", "201")
    b_user = add_user(reseller_api, b["id"], f"Bob {tag}", "202")
    b_number = give_number(reseller_api, b["id"])
    org = ok(reseller_api.post(ORGS, json={"name": f"Franchise {tag}"}), 201)
    for customer in (a, b):
        org = ok(reseller_api.put(f"{ORGS}/{org['id']}/members/{customer['id']}"))
    return Affiliated(org, a, b, a_user, b_user, b_number)


# The provisioning file server (a real process on the platform's database) and its helpers.
from tests.provisioning.conftest import box, file_server, provisioning_db  # noqa: E402, F401
