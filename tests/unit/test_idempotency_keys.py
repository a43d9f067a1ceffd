"""The gateway's side of idempotency keys: the header is checked, every RPC of a request
carries the key and a deadline, and every mutating route documents the header."""

from __future__ import annotations

import time

import pytest

from gateway.framework.openapi import document
from gateway.framework.rpc import TimedProxy
from gateway.registry import api_routes
from sbcommon.errors import BadRequest
from sbcommon.idempotency import CallStamp, client_key, valid_key


@pytest.mark.parametrize("key", ["a", "4b7c-9e", "x" * 200, "order 17 / retry"])
def test_printable_keys_up_to_200_are_accepted(key):
    assert valid_key(key) and client_key(key) == key


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "caf\u00e9", "tab\there", "nul\x00"])
def test_other_keys_are_a_400_naming_the_header(key):
    with pytest.raises(BadRequest) as caught:
        client_key(key)
    assert "Idempotency-Key" in caught.value.message
    assert caught.value.details[0]["field"] == "Idempotency-Key"


def test_no_header_means_no_client_key():
    assert client_key(None) is None


class Recorder:
    """Stands in for an RPC proxy: records the context data each call would carry."""

    def __init__(self, data: dict):
        self.data = data
        self.seen: list[dict] = []

    def __getattr__(self, method):
        return lambda *args: self.seen.append({"method": method, **self.data})


def test_each_call_carries_the_key_and_a_deadline_and_repeats_are_numbered():
    data: dict = {}
    stamp = CallStamp(data)
    stamp.use("client-key-1")
    recorder = Recorder(data)
    proxy = TimedProxy(recorder, "numbering", 10, stamp)
    before = time.time()
    proxy.request_numbers("a")
    proxy.customer_numbers("a")
    proxy.request_numbers("b")
    keys = [(s["method"], s["idempotency_key"]) for s in recorder.seen]
    assert keys == [("request_numbers", "client-key-1"), ("customer_numbers", "client-key-1"),
                    ("request_numbers", "client-key-1#2")]
    assert all(before + 10 <= s["deadline"] <= time.time() + 10 for s in recorder.seen)


def test_without_a_client_key_each_request_gets_its_own():
    first, second = CallStamp({}), CallStamp({})
    first.use(None)
    assert first.key and second.key and first.key != second.key


def test_every_mutating_route_documents_the_header():
    paths = document(api_routes())["paths"]
    mutating = [(path, method, op) for path, ops in paths.items() for method, op in ops.items()
                if method in {"post", "put", "patch", "delete"}]
    assert len(mutating) > 10
    for path, method, op in mutating:
        headers = [p for p in op["parameters"] if p["in"] == "header"]
        assert [h["name"] for h in headers] == ["Idempotency-Key"], (method, path)
        assert headers[0]["required"] is False and "422" in op["responses"]
    for ops in paths.values():
        for method in set(ops) & {"get"}:
            assert all(p["in"] != "header" for p in ops[method]["parameters"])
