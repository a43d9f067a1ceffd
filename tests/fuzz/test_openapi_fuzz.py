"""The JSON API keeps one error contract, checked by a property-based fuzzer (schemathesis)
over its own OpenAPI document: every answer is JSON, every status is documented for its
operation, nothing is a 5xx, and an error body is {error, message, details?} with real details.

The fuzzer signs in as a reseller. Its requests leave from 127.0.0.2 so that the failed
sign-ins it generates do not count against the per-address limit of the other tests
(127.0.0.1), and sign-out runs on throwaway sessions so the reseller stays signed in.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from requests.adapters import HTTPAdapter
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.registry import openapi_json
from tests.support import ApiClient, make_reseller

# Examples per operation in the random phase; the coverage phase adds its boundary and
# malformed values (a newline in a path parameter, a 10 001-character query string, …).
MAX_EXAMPLES = int(os.environ.get("SB_FUZZ_MAX_EXAMPLES", "10"))
# A new seed each run explores new inputs; SB_FUZZ_SEED replays the one a failure printed.
SEED = int(os.environ.get("SB_FUZZ_SEED") or random.randrange(2**32))
FUZZ_ADDRESS = "127.0.0.2"
# The fuzzer would end its own session; sign-out gets a fresh one per case instead.
OWN_SESSION = {("POST", "/api/v1/auth/logout")}


@dataclass
class Run:
    seed: int = SEED
    cases: int = 0
    operations: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)


RUN = Run()


@schemathesis.check
def error_contract(ctx: Any, response: Any, case: Any) -> None:
    """An error is {"error": code, "message": text, "details"?: data}, never details "None"."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {response.text[:200]!r}") from None
    assert isinstance(body, dict), f"error body is not an object: {body!r}"
    assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str), body
    assert set(body) <= {"error", "message", "details"}, body
    assert body.get("details") != "None", f"details carry the string 'None': {body}"


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, error_contract]


class FromAddress(HTTPAdapter):
    """Connects from a given loopback address (the gateway sees it as the client's)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Fuzzer:
    base_url: str
    token: str
    session: requests.Session
    spare_login: Any  # signs in the reseller whose sessions sign-out may end


@pytest.fixture(scope="module")
def fuzzer(platform, accounts_db, fast_hasher) -> Fuzzer:
    reseller = make_reseller(accounts_db, fast_hasher, name="Fuzzed")
    spare = make_reseller(accounts_db, fast_hasher, name="Spare")
    token = ApiClient(platform.base_url).login(reseller.identifier, reseller.password).token
    session = requests.Session()
    session.mount("http://", FromAddress(FUZZ_ADDRESS))

    def spare_login() -> str:
        return ApiClient(platform.base_url).login(spare.identifier, spare.password).token

    return Fuzzer(platform.base_url, token, session, spare_login)


def load_schema() -> Any:
    """The document the gateway serves, built from the same route table in this process (the
    platform is not up yet when pytest collects); a test checks both are the same."""
    config = schemathesis.Config.from_dict({
        "seed": RUN.seed,
        "suppress-health-check": ["all"],
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none",
                       # the fuzzer is signed in: random bearer tokens would only test 401
                       "with-security-parameters": False},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
                   "fuzzing": {"enabled": True}},
        # Each PDF takes a second to render; its query is the CSV export's, fuzzed there.
        "operations": [{"include-path": "/api/v1/customers/export.pdf",
                        "generation": {"max-examples": 3},
                        "phases": {"coverage": {"enabled": False}}}],
    })
    return schemathesis.openapi.from_dict(openapi_json(), config=config)


schema = load_schema()


def test_the_fuzzed_document_is_the_served_one(platform):
    served = requests.get(f"{platform.base_url}/api/v1/openapi.json", timeout=10).json()
    assert served == openapi_json()


@schema.parametrize()
def test_every_api_answer_keeps_the_error_contract(case, fuzzer):
    key = (case.method.upper(), case.operation.path)
    token = fuzzer.spare_login() if key in OWN_SESSION else fuzzer.token
    headers = {"Authorization": f"Bearer {token}"}
    response = case.call(base_url=fuzzer.base_url, session=fuzzer.session, headers=headers,
                         timeout=30)
    RUN.cases += 1
    RUN.operations.add(case.operation.label)
    RUN.statuses[response.status_code] += 1
    case.validate_response(response, checks=CHECKS)


def test_the_fuzzer_reached_every_operation():
    """Runs after the fuzzing above: a run that silently generated nothing is a failure."""
    documented = {f"{method.upper()} {path}" for path, ops in openapi_json()["paths"].items()
                  for method in ops}
    assert RUN.operations == documented
    assert RUN.cases >= 10 * len(documented)
