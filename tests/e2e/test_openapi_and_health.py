"""The OpenAPI document covers every API route, and health checks answer."""

from __future__ import annotations

from gateway.framework.routing import Dispatcher
from gateway.registry import API as api_routes


def test_every_api_route_is_in_the_openapi_document(api):
    doc = api.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    routed = {(r.method, r.path) for r in api_routes.routes}
    missing = routed - documented
    assert not missing, f"routes missing from openapi.json: {sorted(missing)}"
    # every rule the dispatcher serves comes from that same table
    rules = Dispatcher(api_routes).map.iter_rules()
    served = {(m, rule.rule) for rule in rules for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(served) == len(routed)


def test_issue_routes_are_all_there(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/auth/login": {"post"}, "/api/v1/auth/logout": {"post"},
        "/api/v1/auth/password": {"post"}, "/api/v1/auth/forgot": {"post"},
        "/api/v1/customers": {"get", "post"},
        "/api/v1/customers/{customer_id}": {"get", "patch", "delete"},
        "/api/v1/openapi.json": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path


def test_refs_resolve_and_models_are_documented(api):
    doc = api.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    text = str(doc)
    import re
    for ref in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert ref in schemas, ref
    create = doc["paths"]["/api/v1/customers"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CustomerCreate")
    assert set(schemas["CustomerCreate"]["required"]) >= {"kind", "name", "email", "start"}
    listing = doc["paths"]["/api/v1/customers"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"kind", "status", "q", "sort",
                                                          "order", "page", "per_page"}


def test_http_health(api):
    resp = api.get("/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok"
    assert body["services"]["accounts"]["database"] is True


def test_rpc_health(rpc):
    assert rpc.accounts.health() == {"service": "accounts", "status": "ok", "database": True,
                                     "dead_letters": 0}
