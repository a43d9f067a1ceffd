"""Sign-in, sessions, password change and forgotten password through the HTTP API."""

from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from sbcommon.config import amqp_uri
from sbcommon.errors import TooManyRequests, Unauthorized
from tests.support import ApiClient, make_reseller, sign_in_subscriber, unique


def test_login_by_identifier_or_email(api, reseller):
    for name in (reseller.identifier, reseller.email, reseller.email.upper()):
        resp = api.post("/api/v1/auth/login", json={"identifier": name,
                                                    "password": reseller.password})
        assert resp.status_code == 200, name
        body = resp.json()
        assert set(body) == {"token", "expires_in"}
        assert body["expires_in"] == 600


def test_wrong_password_and_unknown_user_look_the_same(api, reseller):
    wrong = api.post("/api/v1/auth/login", json={"identifier": reseller.identifier,
                                                 "password": "nope-nope"})
    unknown = api.post("/api/v1/auth/login", json={"identifier": unique("ghost"),
                                                   "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_repeated_failures_hold_the_account_back_silently(platform, accounts_db, fast_hasher):
    """After the back-off starts, even the right password gets the wrong-password answer
    from that address: a stranger learns nothing, and cannot lock the owner out elsewhere."""
    victim = make_reseller(accounts_db, fast_hasher)
    client = ApiClient(platform.base_url)
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"identifier": victim.identifier,
                                                "password": "guess-guess"})
    held = client.post("/api/v1/auth/login", json={"identifier": victim.identifier,
                                                   "password": victim.password})
    wrong = client.post("/api/v1/auth/login", json={"identifier": victim.identifier,
                                                    "password": "guess-again"})
    assert held.status_code == wrong.status_code == 401
    assert held.json() == wrong.json()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=30) as rpc:
        assert rpc.accounts.login({"identifier": victim.identifier,
                                   "password": victim.password}, "198.51.100.77")["token"]


def test_per_address_limit(platform, accounts_db, fast_hasher):
    """Many accounts guessed from one address: the address is slowed down."""
    ip = f"198.51.100.{unique()[-2:]}"
    target = make_reseller(accounts_db, fast_hasher)
    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=30) as rpc:
        # all at once: the 50 are counted atomically, within the minute however slow the
        # machine is
        sprayed = [rpc.accounts.login.call_async({"identifier": f"spray-{i}", "password": "x"},
                                                 ip) for i in range(50)]
        for reply in sprayed:
            with pytest.raises(Unauthorized):
                reply.result()
        with pytest.raises(TooManyRequests):
            rpc.accounts.login({"identifier": target.identifier, "password": target.password},
                               ip)
        # another address is not affected
        assert rpc.accounts.login({"identifier": target.identifier,
                                   "password": target.password}, "198.51.100.250")["token"]


def test_logout_ends_the_session(reseller_api):
    assert reseller_api.get("/api/v1/auth/session").status_code == 200
    assert reseller_api.post("/api/v1/auth/logout").status_code == 204
    assert reseller_api.get("/api/v1/customers").status_code == 401


def test_session_info_has_no_secrets(reseller_api, reseller):
    info = reseller_api.get("/api/v1/auth/session").json()
    assert info["user"]["identifier"] == reseller.identifier
    assert info["actor"]["role"] == "reseller"
    text = str(info)
    assert reseller.password not in text and reseller_api.token not in text
    assert "password_hash" not in text


def test_change_password(platform, reseller):
    first = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    second = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    wrong = first.post("/api/v1/auth/password", json={"current_password": "bad-bad-bad",
                                                      "new_password": "new-secret-1"})
    assert wrong.status_code == 422
    assert wrong.json()["details"][0]["field"] == "current_password"
    short = first.post("/api/v1/auth/password", json={"current_password": reseller.password,
                                                      "new_password": "short"})
    assert short.status_code == 422
    ok = first.post("/api/v1/auth/password", json={"current_password": reseller.password,
                                                   "new_password": "new-secret-1"})
    assert ok.status_code == 204
    assert first.get("/api/v1/customers").status_code == 200  # this session goes on
    assert second.get("/api/v1/customers").status_code == 401  # the others end
    ApiClient(platform.base_url).login(reseller.identifier, "new-secret-1")


def test_forgot_password_flow(platform, api, reseller, accounts_events):
    unknown = api.post("/api/v1/auth/forgot", json={"identifier": unique("nobody")})
    known = api.post("/api/v1/auth/forgot", json={"identifier": reseller.email})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()  # no account enumeration
    # The token travels only in the event to the e-mail sender; tests read it there.
    event = accounts_events.wait_for(
        lambda e: e["event_type"] == "password_reset_requested"
        and e["user_id"] == reseller.user_id)
    assert event is not None
    token = event["reset_token"]
    assert token not in known.text
    signed_in = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)

    assert api.post("/api/v1/auth/reset", json={"token": token,
                                                "new_password": "chosen-again-1"}
                    ).status_code == 204
    reused = api.post("/api/v1/auth/reset", json={"token": token,
                                                  "new_password": "chosen-again-2"})
    assert reused.status_code == 422
    assert "invalid" in reused.json()["message"]
    bogus = api.post("/api/v1/auth/reset", json={"token": "x" * 43,
                                                 "new_password": "chosen-again-3"})
    assert bogus.status_code == 422
    assert signed_in.get("/api/v1/customers").status_code == 401  # sessions ended
    old = api.post("/api/v1/auth/login", json={"identifier": reseller.identifier,
                                               "password": reseller.password})
    assert old.status_code == 401
    ApiClient(platform.base_url).login(reseller.identifier, "chosen-again-1")


def test_closed_customer_cannot_sign_in(platform, reseller_api, api, accounts_events):
    customer = reseller_api.create_customer()
    subscriber = sign_in_subscriber(platform.base_url, accounts_events, customer)
    assert subscriber.get(f"/api/v1/customers/{customer['id']}").status_code == 200
    reseller_api.delete(f"/api/v1/customers/{customer['id']}")
    assert subscriber.get(f"/api/v1/customers/{customer['id']}").status_code == 401
    again = api.post("/api/v1/auth/login", json={"identifier": customer["identifier"],
                                                 "password": "subscriber-pin-1"})
    assert again.status_code == 401
