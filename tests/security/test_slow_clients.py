"""Clients that trickle their bodies cannot take the gateway's workers: 60 of them on the
sign-in route while the PBX and a signed-in user keep being answered."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import requests

from tests.e2e.test_call_restrictions import wait_known

TRICKLERS = 60


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Trickler:
    """A client that announces a body and sends it one byte a second."""

    def __init__(self, base_url: str, path: str = "/api/v1/auth/login", length: int = 500):
        parts = urlsplit(base_url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        self.sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
                           "Content-Type: application/json\r\n"
                           f"Content-Length: {length}\r\n\r\n{{").encode())

    def drip(self) -> bool:
        try:
            self.sock.sendall(b" ")
            return True
        except OSError:
            return False

    def answer(self) -> bytes:
        try:
            return self.sock.recv(4096)
        except OSError:
            return b""

    def close(self) -> None:
        self.sock.close()


def test_sixty_trickling_sign_ins_do_not_stop_the_pbx_or_the_api(platform, reseller_api,
                                                                   pbx_token):
    customer = reseller_api.create_customer(country="CA")
    wait_known(reseller_api, customer["id"])
    tricklers = [Trickler(platform.base_url) for _ in range(TRICKLERS)]
    stop = threading.Event()

    def drip() -> None:
        while not stop.wait(1.0):
            for t in tricklers:
                t.drip()

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    pbx = requests.Session()
    pbx.headers["Authorization"] = f"Bearer {pbx_token}"
    timings: dict[str, list[float]] = {"pbx": [], "api": []}
    statuses: dict[str, list[int]] = {"pbx": [], "api": []}
    try:
        time.sleep(1.0)  # every trickler is connected and has started its body
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            for name, call in (
                ("pbx", lambda: pbx.get(f"{platform.base_url}/pbx/v1/authorize", timeout=5,
                                        params={"dialed": "+1 514 555 0100",
                                                "customer": customer["id"]})),
                ("api", lambda: reseller_api.get("/api/v1/customers?per_page=5")),
            ):
                start = time.monotonic()
                statuses[name].append(call().status_code)
                timings[name].append(time.monotonic() - start)
    finally:
        stop.set()
        dripping.join()
    for name, values in timings.items():
        print(f"\n{name} with {TRICKLERS} trickling clients: {len(values)} requests, "
              f"p50 {percentile(values, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(values, 0.99) * 1000:.1f} ms")
    assert set(statuses["pbx"]) == {200} and set(statuses["api"]) == {200}, statuses
    # A trickler never gets a worker: once its time is up it is told so and dropped.
    answer = tricklers[0].answer()
    for t in tricklers:
        t.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_a_body_announced_too_large_is_refused_before_it_is_read(platform):
    parts = urlsplit(platform.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"payload_too_large" in answer


def test_a_chunked_body_is_cut_at_the_route_limit(platform):
    def chunks():
        for _ in range(100):  # 100 KiB for a sign-in route that takes 16 KiB
            yield b" " * 1024

    resp = requests.post(f"{platform.base_url}/api/v1/auth/login", data=chunks(), timeout=10,
                         headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert resp.json()["error"] == "payload_too_large"
