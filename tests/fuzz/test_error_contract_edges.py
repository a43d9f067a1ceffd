"""Requests the OpenAPI document cannot describe still get the API's JSON error contract:
a path no route matches, a method no route allows, an oversized URI or body, a NUL byte."""

from __future__ import annotations

import time

import pytest


def assert_json_error(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text[:300]
    assert resp.headers["Content-Type"].startswith("application/json"), resp.text[:300]
    body = resp.json()
    assert body["error"] == code and isinstance(body["message"], str), body
    assert "details" not in body or body["details"] != "None", body
    return body


@pytest.mark.parametrize("path", [
    "/api/v1/customers/a%0Ab",              # werkzeug's path converter refuses a newline
    "/api/v1/customers/%0A/devices/%0A",
    "/api/v1/no-such-thing",
])
def test_an_unmatched_api_path_is_a_json_404(reseller_api, path):
    body = assert_json_error(reseller_api.get(path), 404, "not_found")
    assert body["message"] in ("no such API route", "no such customer")


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PUT"])
def test_a_method_no_route_allows_is_a_json_405(reseller_api, method):
    assert_json_error(reseller_api.request(method, "/api/v1/customers"), 405,
                      "method_not_allowed")


@pytest.mark.parametrize("prefix", ["0" * 10_001, "é" * 20_000])  # 10 KB, 120 KB encoded
def test_a_too_long_uri_is_a_json_414(reseller_api, prefix):
    resp = reseller_api.get("/api/v1/numbers", params={"prefix": prefix})
    assert_json_error(resp, 414, "uri_too_long")


def test_a_long_uri_does_not_hold_the_gateway(reseller_api):
    # logging a long request line used to take seconds of the gateway's only event loop
    long = reseller_api.get("/api/v1/numbers", params={"prefix": "0" * 8_000})
    assert_json_error(long, 422, "invalid")
    started = time.monotonic()
    assert reseller_api.get("/api/v1/numbers", params={"prefix": "+1"}).status_code == 200
    assert time.monotonic() - started < 1.0


def test_an_oversized_json_body_is_a_json_413(reseller_api):
    resp = reseller_api.post("/api/v1/customers", data=b"{" + b" " * (1024 * 1024 + 1),
                             headers={"Content-Type": "application/json"})
    assert_json_error(resp, 413, "payload_too_large")


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/api/v1/customers", {"params": {"q": "a\x00b"}}),
    ("POST", "/api/v1/customers", {"json": {"kind": "company", "name": "A\x00", "start": "trial",
                                            "email": "nul@example.com"}}),
    ("GET", "/api/v1/customers/%00", {}),
])
def test_a_nul_character_is_a_json_400_not_a_server_error(reseller_api, method, path, kwargs):
    assert_json_error(reseller_api.request(method, path, **kwargs), 400, "bad_request")


def test_a_superscript_digit_is_not_an_import_id(reseller_api):
    assert_json_error(reseller_api.get("/api/v1/numbers/imports/%C2%B3"), 400, "bad_request")


def test_a_service_error_without_details_has_no_details(reseller_api):
    body = assert_json_error(reseller_api.get("/api/v1/customers/0"), 404, "not_found")
    assert "details" not in body


def test_every_operation_documents_the_statuses_any_route_can_answer(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, op in operations.items():
            documented = set(op["responses"])
            assert {"400", "414", "503"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
            if "requestBody" in op:
                assert "413" in documented, (method, path)
