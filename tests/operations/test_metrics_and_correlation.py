"""What an operator scrapes and follows, on the real platform: every process's /metrics
endpoint and its series moving with traffic, and one correlation id from a portal request
through an RPC and an event into the consuming service's log line."""

from __future__ import annotations

import re
import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_portal_http import Portal
from tests.numbering.conftest import fresh_numbers
from tests.support import Platform, ResellerLogin, unique, wait_until


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one endpoint, by (name, sorted labels)."""
    text = requests.get(url, timeout=5).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def total(samples: dict, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(value for (sample, sample_labels), value in samples.items()
               if sample == name and labels.items() <= dict(sample_labels).items())


PRODUCERS = ("accounts", "numbering", "routing_policy", "provisioning")  # have an outbox
CONSUMERS = ("numbering", "routing_policy", "provisioning", "notifications")


def live(platform: Platform) -> list:
    """The platform's running processes (other tests add replicas and stop some)."""
    return [p for p in platform.processes if p.proc is not None and p.proc.poll() is None]


def logs_of(platform: Platform, name: str) -> str:
    """The logs of every replica of ``name`` (whichever took the call writes the line)."""
    return "\n".join(p.log_text() for p in platform.processes if p.name == name)


def scrape_services(platform: Platform) -> dict[str, dict]:
    """Every service's samples, summed over its running replicas."""
    out: dict[str, dict] = {}
    for process in live(platform):
        merged = out.setdefault(process.name, {})
        for sample, value in scrape(process.metrics_url).items():
            merged[sample] = merged.get(sample, 0.0) + value
    return out


def test_every_process_serves_metrics_and_they_move_with_traffic(platform, reseller_api,
                                                                  pbx_token):
    for process in live(platform):  # each replica answers for itself
        samples = scrape(process.metrics_url)
        assert total(samples, "switchboard_process_info", service=process.name) == 1, \
            process.name
    before = scrape_services(platform)
    assert set(before) >= {"gateway", "accounts", "numbering", "routing_policy",
                           "provisioning", "notifications"}
    for name, samples in before.items():  # the families exist before any traffic
        if name in PRODUCERS:
            assert any(s == "switchboard_outbox_backlog" for s, _ in samples), name
        if name in CONSUMERS:
            assert any(s == "switchboard_event_dead_letters_parked" for s, _ in samples), name

    # traffic: a health check asks every service; a customer is created (accounts RPC,
    # an event every other service consumes); the PBX asks twice; a number is added twice
    # (the second time a 409 the caller expects).
    assert requests.get(f"{platform.base_url}/health", timeout=10).status_code == 200
    customer = reseller_api.create_customer(country="CA")
    for dialed in ("+15145550100", "911"):
        wait_until(lambda d=dialed: requests.get(
            f"{platform.base_url}/pbx/v1/authorize", timeout=10,
            params={"customer": customer["id"], "dialed": d},
            headers={"Authorization": f"Bearer {pbx_token}"}).status_code == 200,
            timeout=15, message="the PBX's answer")
    (number,) = fresh_numbers(1)
    assert reseller_api.post("/api/v1/numbers", json={"number": number}).status_code == 201
    assert reseller_api.post("/api/v1/numbers", json={"number": number}).status_code == 409

    lagged: list[str] = []

    def consumers_caught_up() -> dict | None:
        after = scrape_services(platform)
        lagged[:] = [n for n in CONSUMERS
                     if total(after[n], "switchboard_event_lag_seconds_count")
                     <= total(before[n], "switchboard_event_lag_seconds_count")]
        return None if lagged else after

    after = wait_until(consumers_caught_up, timeout=60,
                       message=f"every consumer's lag series (still waiting: {lagged})")
    for name in ("accounts", "numbering", "routing_policy", "provisioning", "notifications"):
        assert (total(after[name], "switchboard_rpc_duration_seconds_count", method="health")
                > total(before[name], "switchboard_rpc_duration_seconds_count",
                        method="health")), name
    gateway_before, gateway = before["gateway"], after["gateway"]
    route = "/api/v1/numbers"
    assert (total(gateway, "switchboard_http_request_duration_seconds_count", route=route,
                  status="409")
            > total(gateway_before, "switchboard_http_request_duration_seconds_count",
                    route=route, status="409"))
    assert (total(after["numbering"], "switchboard_rpc_duration_seconds_count",
                  method="add_number", outcome="expected")
            > total(before["numbering"], "switchboard_rpc_duration_seconds_count",
                    method="add_number", outcome="expected"))
    assert (total(after["routing_policy"], "switchboard_authorize_decisions_total")
            >= total(before["routing_policy"], "switchboard_authorize_decisions_total") + 2)
    assert (total(after["accounts"], "switchboard_outbox_published_total")
            > total(before["accounts"], "switchboard_outbox_published_total"))


def test_every_process_answers_its_probes(platform):
    for process in live(platform):
        base = process.metrics_url.removesuffix("/metrics")
        assert requests.get(f"{base}/livez", timeout=5).status_code == 200, process.name
        ready = requests.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.text == "ready\n", (process.name, ready.text)


def test_an_expected_refusal_is_one_info_line(platform, reseller_api):
    (number,) = fresh_numbers(1)
    assert reseller_api.post("/api/v1/numbers", json={"number": number}).status_code == 201
    again = reseller_api.post("/api/v1/numbers", json={"number": number})
    assert again.status_code == 409
    cid = again.headers["X-Request-Id"]
    assert cid
    line = wait_until(lambda: next((ln for ln in logs_of(platform, "numbering").splitlines()
                                    if f"cid={cid}" in ln and "add_number" in ln), None),
                      timeout=10, message="the refusal's log line")
    assert " INFO " in line and "answered conflict" in line, line
    lines = logs_of(platform, "numbering").splitlines()
    following = lines[lines.index(line) + 1] if lines.index(line) + 1 < len(lines) else ""
    assert not following.startswith("Traceback"), following


def test_one_correlation_id_from_a_portal_request_to_the_consumers_log(
        platform, reseller: ResellerLogin, accounts_events):
    cid = f"portal-{uuid.uuid4().hex}"
    portal = Portal(platform.base_url)
    portal.login(reseller)
    name = f"Traced {unique()}"
    portal.http.headers["X-Request-Id"] = cid  # as a proxy in front of the gateway would
    resp = portal.submit("/customers/new", "/customers/new/confirm", {
        "kind": "company", "name": name, "email": f"{unique()}@example.com",
        "start": "trial"})
    assert resp.status_code == 303, resp.text[:300]
    assert resp.headers["X-Request-Id"] == cid

    # the accounts RPC the page made ran under the id: the event it recorded carries it
    event = accounts_events.wait_for(lambda e: e["event_type"] == "customer_created"
                                     and e["name"] == name)
    assert event is not None and event["correlation_id"] == cid
    # and every service that consumed the event logged applying it under the same id
    for consumer in ("numbering", "routing_policy", "provisioning"):
        pattern = re.compile(rf"cid={re.escape(cid)} .*applied accounts\.customer_created "
                             rf"{event['event_id']}")
        wait_until(lambda c=consumer, r=pattern: r.search(logs_of(platform, c)), timeout=15,
                   message=f"{consumer}'s line for the event")


def test_an_unusable_request_id_is_replaced(platform):
    for sent in ("bad id with spaces", "x" * 300, "short"):
        resp = requests.get(f"{platform.base_url}/health", timeout=10,
                            headers={"X-Request-Id": sent})
        assert resp.headers["X-Request-Id"] != sent
        assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-Id"])
