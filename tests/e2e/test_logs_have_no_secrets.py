"""No secret reaches a log: passwords, session tokens and reset tokens are absent from the
services' logs after flows that carry all of them."""

from __future__ import annotations

from tests.support import ApiClient, wait_until


def test_logs_never_contain_secrets(platform, api, reseller, accounts_events):
    client = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    api.post("/api/v1/auth/login", json={"identifier": reseller.identifier,
                                         "password": "wrong-Password-123"})
    api.post("/api/v1/auth/forgot", json={"identifier": reseller.identifier})
    event = accounts_events.wait_for(lambda e: e["event_type"] == "password_reset_requested"
                                     and e["user_id"] == reseller.user_id)
    reset_token = event["reset_token"]
    # a reset link opened in the portal puts the token in a URL (the access log's favourite)
    api.get(f"/reset?token={reset_token}")
    api.post("/api/v1/auth/reset", json={"token": reset_token,
                                         "new_password": "Fresh-Secret-987"})
    def flushed() -> str | None:
        text = platform.logs()
        return text if "sign-in refused" in text and "GET /reset?token=" in text else None

    # the log is written (once the processes flush it); it just holds no secret
    logs = wait_until(flushed, timeout=10, message="log lines flushed")
    for secret in (reseller.password, "wrong-Password-123", "Fresh-Secret-987", reset_token,
                   client.token):
        assert secret not in logs
