"""Smaller doors: the PBX echo wants a token, the public health check says only ok or not
(and does not fan out per probe), cookies and HSTS follow the public URL, and an upload is
not parsed before its CSRF token is checked."""

from __future__ import annotations

import io

import pytest
import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.app import GatewayApp
from gateway.clients import Backends
from gateway.framework.portal import CsrfError, Page
from gateway.settings import GatewaySettings


def test_the_pbx_echo_refuses_an_unknown_token(platform, pbx_token):
    url = f"{platform.base_url}/pbx/v1/echo?ping=1"
    forged = requests.get(url, headers={"Authorization": "Bearer not-a-pbx-token"},
                          timeout=10)
    assert forged.status_code == 401
    assert forged.json()["error"] == "unauthorized"
    good = requests.get(url, headers={"Authorization": f"Bearer {pbx_token}"}, timeout=10)
    assert good.status_code == 200 and good.json() == {"ping": "1"}


class CountingService:
    def __init__(self) -> None:
        self.calls = 0

    def health(self) -> dict:
        self.calls += 1
        return {"service": "accounts", "status": "ok", "host": "accounts-7f9c", "pid": 4242,
                "customers": 1234}


class NoBrands:
    """accounts as the sign-in page sees it for a host no reseller claims."""

    def portal_brand(self, **_: str) -> None:
        return None


def _get(app: GatewayApp, backends: Backends, path: str, address: str,
         headers: dict | None = None):
    environ = EnvironBuilder(path=path, headers=headers or {},
                             environ_overrides={"REMOTE_ADDR": address}).get_environ()
    return app.handle(Request(environ), backends)


def test_public_health_says_only_ok_and_does_not_fan_out_per_probe():
    app = GatewayApp(GatewaySettings(health_cache_seconds=60))
    service = CountingService()
    backends = Backends(accounts=service)
    answers = [_get(app, backends, "/health", "203.0.113.50") for _ in range(5)]
    assert all(a.status_code == 200 for a in answers)
    assert {a.get_data(as_text=True) for a in answers} == {'{"status":"ok"}'}
    assert service.calls == 1  # five probes, one question to each service
    internal = _get(app, backends, "/health", "127.0.0.1")
    assert "accounts-7f9c" in internal.get_data(as_text=True)  # details stay available


def test_secure_cookies_and_hsts_follow_an_https_public_url():
    """Behind a TLS proxy the gateway sees plain HTTP: the public URL decides."""
    app = GatewayApp(GatewaySettings(public_url="https://portal.example.com"))
    page = _get(app, Backends(accounts=NoBrands()), "/login", "203.0.113.7")
    assert page.status_code == 200
    cookies = page.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies), cookies
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    plain = _get(GatewayApp(GatewaySettings(public_url="http://127.0.0.1:8000")),
                 Backends(accounts=NoBrands()), "/login", "203.0.113.7")
    assert "Strict-Transport-Security" not in plain.headers


class Untouchable(io.RawIOBase):
    """A body that must not be read."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the upload was read before its CSRF token was checked")


def test_an_upload_is_not_parsed_before_its_csrf_token_is_checked():
    body = b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nx\r\n--b--\r\n"
    environ = EnvironBuilder(path="/numbers/import", method="POST",
                             headers={"Content-Type": "multipart/form-data; boundary=b",
                                      "Content-Length": str(len(body))}).get_environ()
    environ["wsgi.input"] = io.BufferedReader(Untouchable())
    app = GatewayApp(GatewaySettings())
    from gateway.framework.context import Ctx

    ctx = Ctx(request=Request(environ), backends=Backends(), settings=app.settings)
    page = Page(ctx, app.portal)
    with pytest.raises(CsrfError):
        page.check_csrf(upload=True)  # the token in the body is not even looked at
    good = EnvironBuilder(path="/numbers/import", method="POST",
                          query_string={"csrf_token": page.csrf_token},
                          headers={"Content-Type": "multipart/form-data; boundary=b"}
                          ).get_environ()
    good["wsgi.input"] = io.BufferedReader(Untouchable())
    ctx.request = Request(good)
    page.request = ctx.request
    page.check_csrf(upload=True)  # accepted from the query, body unread
