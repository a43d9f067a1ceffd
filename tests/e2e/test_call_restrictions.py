"""Call restrictions end to end: API, PBX endpoint, events from accounts and numbering,
scope, bad input, and two replicas picking up a rule change within one second."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
import requests
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from sbcommon.actor import sign_actor
from sbcommon.config import amqp_uri
from sbcommon.errors import Unauthorized
from tests.support import ApiClient, make_reseller, wait_until


def wait_known(client: ApiClient, customer_id: str, timeout: float = 10) -> None:
    """routing_policy learns customers from accounts' events: wait until it has."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get(f"/api/v1/customers/{customer_id}/call-restrictions").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError("routing_policy never learned the customer")


def numbering_event(event_type: str, customer: dict, number: str, event_id: str | None = None,
                    **extra: str | int) -> dict:
    payload = {"event_id": event_id or str(uuid.uuid4()), "event_type": event_type,
               "occurred_at": datetime.now(UTC).isoformat(),
               "reseller_id": customer["reseller_id"], "customer_id": customer["id"],
               "number": number, "country": "CA", **extra}
    event_dispatcher({"AMQP_URI": amqp_uri()})("numbering", event_type, payload)
    return payload


def authorize(platform, token: str, **params: str) -> requests.Response:
    return requests.get(f"{platform.base_url}/pbx/v1/authorize", params=params, timeout=10,
                        headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def customer(reseller_api):
    made = reseller_api.create_customer(country="CA")
    wait_known(reseller_api, made["id"])
    return made


def test_the_issue_example_through_the_api_and_the_pbx(platform, reseller_api, customer,
                                                        pbx_token):
    other = reseller_api.create_customer(country="CA")
    wait_known(reseller_api, other["id"])
    for body in ({"action": "allow", "match": "category", "value": "international"},
                 {"action": "deny", "match": "country", "value": "cu"},
                 {"action": "deny", "match": "country", "value": "KP"}):
        assert reseller_api.post("/api/v1/call-restrictions", json=body).status_code == 201
    assert reseller_api.put("/api/v1/call-restrictions/default",
                            json={"action": "deny"}).status_code == 200
    special = reseller_api.post(f"/api/v1/customers/{customer['id']}/call-restrictions",
                                json={"action": "allow", "match": "prefix", "value": "+53 7"})
    assert special.status_code == 201 and special.json()["value"] == "+537"

    listed = reseller_api.get("/api/v1/call-restrictions").json()
    assert listed["default"] == "deny"
    assert [r["match"] for r in listed["rules"]] == ["country", "country", "category"]

    yes = authorize(platform, pbx_token, dialed="011 53 7 123 4567", customer=customer["id"])
    assert yes.status_code == 200, yes.text
    assert yes.json() | {"reason": ""} == {
        "allow": True, "destination": "+5371234567", "rule_id": special.json()["id"],
        "level": "customer", "reason": "", "customer_id": customer["id"], "kind": "direct",
        "country": "CA", "when_unavailable": "deny", "dialed": "011 53 7 123 4567",
        "caller": None, "callee": None}
    no = authorize(platform, pbx_token, dialed="011 53 7 123 4567", customer=other["id"],
                   kind="forward").json()
    assert (no["allow"], no["level"]) == (False, "reseller") and "country CU" in no["reason"]
    assert authorize(platform, pbx_token, dialed="+44 20 7946 0018",
                     customer=other["id"]).json()["allow"] is True
    # the portal's tester says the same
    tested = reseller_api.get(f"/api/v1/customers/{other['id']}/call-restrictions/test",
                              params={"dialed": "+53 7 123 4567"}).json()
    assert tested["allow"] is False and tested["rule_id"] == no["rule_id"]
    # every deny is logged with its reason
    time.sleep(0.2)
    assert "call denied" in platform.logs() and "country CU" in platform.logs()


def test_emergency_numbers_pass_whatever_the_rules(platform, reseller_api, customer,
                                                   pbx_token):
    url = f"/api/v1/customers/{customer['id']}/call-restrictions"
    reseller_api.post(url, json={"action": "deny", "match": "prefix", "value": "+1"})
    answer = authorize(platform, pbx_token, dialed="911", customer=customer["id"]).json()
    assert (answer["allow"], answer["level"]) == (True, "emergency")
    assert authorize(platform, pbx_token, dialed="514 555 0199",
                     customer=customer["id"]).json()["allow"] is False


def test_caller_mapping_from_numbering_events_is_idempotent(platform, reseller_api, customer,
                                                            pbx_token):
    number = f"+1514555{uuid.uuid4().int % 10_000:04d}"
    assigned = numbering_event("number_assigned", customer, number, version=1)

    def by_caller() -> requests.Response:
        return authorize(platform, pbx_token, dialed="5145550100", caller=number)

    deadline = time.monotonic() + 5
    while by_caller().status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert by_caller().json()["customer_id"] == customer["id"]
    numbering_event("number_released", customer, number, reason="unassigned", version=2)
    deadline = time.monotonic() + 5
    while by_caller().status_code != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert by_caller().status_code == 404
    # a redelivered assignment (same event_id) is not applied twice
    numbering_event("number_assigned", customer, number, event_id=assigned["event_id"],
                    version=1)
    # and a late assignment older than the release changes nothing either
    numbering_event("number_assigned", customer, number, version=1)
    time.sleep(0.5)
    assert by_caller().status_code == 404


def test_pbx_tokens(platform, admin_api, reseller_api, customer, pbx_token):
    assert authorize(platform, "sbpbx_wrong", dialed="911",
                     customer=customer["id"]).status_code == 401
    no_header = requests.get(f"{platform.base_url}/pbx/v1/authorize",
                             params={"dialed": "911", "customer": customer["id"]}, timeout=10)
    assert no_header.status_code == 401
    listed = admin_api.get("/api/v1/pbx-tokens")
    assert listed.status_code == 200 and pbx_token not in listed.text
    assert "token" not in listed.json()["items"][0]
    # only the administrator manages them
    assert reseller_api.post("/api/v1/pbx-tokens", json={"name": "x"}).status_code == 403
    assert reseller_api.get("/api/v1/pbx-tokens").status_code == 403
    # a revoked token stops working at once
    spare = admin_api.post("/api/v1/pbx-tokens", json={"name": "spare"}).json()
    assert authorize(platform, spare["token"], dialed="911",
                     customer=customer["id"]).status_code == 200
    assert admin_api.delete(f"/api/v1/pbx-tokens/{spare['id']}").status_code == 200
    assert authorize(platform, spare["token"], dialed="911",
                     customer=customer["id"]).status_code == 401
    # a token limited to one reseller cannot ask about another's customers
    scoped = admin_api.post("/api/v1/pbx-tokens", json={"name": "other",
                                                       "reseller_id": str(uuid.uuid4())})
    assert authorize(platform, scoped.json()["token"], dialed="911",
                     customer=customer["id"]).status_code == 404
    time.sleep(0.2)
    assert pbx_token not in platform.logs() and spare["token"] not in platform.logs()


@pytest.mark.parametrize("body, status, words", [
    ({"action": "deny", "match": "country", "value": "XX"}, 422, "unknown country"),
    ({"action": "deny", "match": "prefix", "value": "1514"}, 422, "E.164"),
    ({"action": "deny", "match": "prefix", "value": "+999"}, 422, "E.164"),
    ({"action": "deny", "match": "category", "value": "cheap"}, 422, "category"),
    ({"action": "maybe", "match": "country", "value": "GB"}, 422, "action"),
    ({"action": "deny", "match": "country", "value": "GB", "extra": 1}, 422, "extra"),
    ({"action": "deny", "match": "country", "value": "GB"}, 409, "same"),
    ({"action": "allow", "match": "country", "value": "gb"}, 409, "conflicting"),
])
def test_bad_rules_are_refused_and_nothing_changes(reseller_api, customer, body, status,
                                                   words):
    url = f"/api/v1/customers/{customer['id']}/call-restrictions"
    assert reseller_api.post(url, json={"action": "deny", "match": "country",
                                        "value": "GB"}).status_code == 201
    before = reseller_api.get(url).json()
    resp = reseller_api.post(url, json=body)
    assert resp.status_code == status, resp.text
    assert words in resp.text
    assert reseller_api.get(url).json() == before


@pytest.mark.parametrize("dialed, words", [
    ("5" * 200, "at most 64"), ("5145550199' OR 1=1 --", "contains"),
    ("1-800-FLOWERS", "contains 'F'"), ("12", "not a possible"),
])
def test_bad_dialled_strings(platform, reseller_api, customer, pbx_token, dialed, words):
    resp = authorize(platform, pbx_token, dialed=dialed, customer=customer["id"])
    assert resp.status_code == 422, resp.text
    body = resp.json()
    said = [body["message"]] + [d["message"] for d in body.get("details") or []
                                if d.get("field", "").endswith("dialed")]
    assert any(words in text for text in said), body
    tested = reseller_api.get(f"/api/v1/customers/{customer['id']}/call-restrictions/test",
                              params={"dialed": dialed})
    assert tested.status_code == 422


def test_pbx_needs_exactly_one_of_customer_and_caller(platform, customer, pbx_token):
    assert authorize(platform, pbx_token, dialed="911").status_code == 422
    assert authorize(platform, pbx_token, dialed="911", customer=customer["id"],
                     caller="+15145550100").status_code == 422
    assert authorize(platform, pbx_token, dialed="911",
                     customer=str(uuid.uuid4())).status_code == 404


def test_scope_in_the_service(platform, reseller_api, customer, accounts_db, fast_hasher,
                              rpc):
    other = make_reseller(accounts_db, fast_hasher)
    intruder = ApiClient(platform.base_url).login(other.identifier, other.password)
    url = f"/api/v1/customers/{customer['id']}/call-restrictions"
    rule = reseller_api.post(url, json={"action": "deny", "match": "country",
                                        "value": "FR"}).json()
    assert intruder.delete(f"{url}/{rule['id']}").status_code == 404
    assert intruder.delete(f"/api/v1/call-restrictions/{rule['id']}").status_code == 404
    # the service itself refuses, whatever a gateway forgot to check
    actor = sign_actor({"user_id": other.user_id, "role": "reseller",
                        "reseller_id": other.reseller_id})
    from sbcommon.errors import NotFound
    with pytest.raises(NotFound):
        rpc.routing_policy.create_rule(actor, {"action": "allow", "match": "country",
                                               "value": "FR"}, customer["id"])
    assert [r["id"] for r in reseller_api.get(url).json()["rules"]] == [rule["id"]]


def test_two_replicas_answer_with_a_new_rule(platform, reseller_api, customer, pbx_token):
    """Both replicas take a new rule from the broadcast event, long before the periodic
    reload (300 s). How fast (target under a second) is bench_routing_policy.py's (d)."""
    platform.add("routing_policy", "services.routing_policy.service", suffix="-2")
    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=10) as proxy:
        query = {"dialed": "+44 20 7946 0018", "customer": customer["id"]}

        def answers() -> dict[str, bool]:
            calls = [proxy.routing_policy.authorize.call_async(pbx_token, query)
                     for _ in range(16)]
            seen: dict[str, bool] = {}
            for call in calls:
                result = call.result()
                seen[result["replica"]] = seen.get(result["replica"], True) and not \
                    result["allow"]
            return seen

        def both_answer() -> bool:
            try:
                return len(answers()) == 2
            except Unauthorized:  # (a starting replica now waits for its cache; kept as a guard)
                return False

        wait_until(both_answer, timeout=60, interval=0.2, message="second replica serving")
        assert len(before := answers()) == 2 and not any(before.values())

        changed = reseller_api.post("/api/v1/call-restrictions",
                                    json={"action": "deny", "match": "country", "value": "GB"})
        assert changed.status_code == 201
        deadline = time.monotonic() + 20
        while True:
            seen = answers()
            if (len(seen) == 2 and all(seen.values())) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(seen) == 2 and all(seen.values()), seen
        reseller_api.delete(f"/api/v1/call-restrictions/{changed.json()['id']}")


def test_routes_are_in_the_openapi_document(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/call-restrictions": {"get", "post"},
        "/api/v1/call-restrictions/{rule_id}": {"delete"},
        "/api/v1/call-restrictions/default": {"put"},
        "/api/v1/customers/{customer_id}/call-restrictions": {"get", "post"},
        "/api/v1/customers/{customer_id}/call-restrictions/{rule_id}": {"delete"},
        "/api/v1/customers/{customer_id}/call-restrictions/test": {"get"},
        "/api/v1/pbx-tokens": {"get", "post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path


def test_unknown_pbx_route_is_a_json_404(platform):
    resp = requests.get(f"{platform.base_url}/pbx/v1/nothing", timeout=10)
    assert resp.status_code == 404 and resp.json()["error"] == "not_found"
