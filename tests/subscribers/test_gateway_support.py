"""The gateway's side, through the real GatewayApp with stand-ins for the services (they are
outside its boundary): the subscriber's home still renders with a message in each section
whose service is away, and a write inside a direct access is recorded before it runs — when
it cannot be recorded, it does not run."""

from __future__ import annotations

from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.app import GatewayApp
from gateway.clients import Backends
from gateway.settings import GatewaySettings
from sbcommon.errors import Conflict, Unavailable

SETTINGS = GatewaySettings(secret_key=b"k")
CUSTOMER = {"id": "c1", "reseller_id": "r1", "kind": "company", "name": "Home Co",
            "identifier": "home", "email": "h@x.example", "phone": None,
            "contact_name": None, "language": "en", "country": "CA", "status": "trial",
            "trial_ends_at": "2026-12-01T00:00:00+00:00", "closed_at": None,
            "created_at": "2026-11-01T00:00:00+00:00",
            "updated_at": "2026-11-01T00:00:00+00:00", "version": 1, "locked": False}
AWAY = Unavailable("the service did not answer", {"retry_after": 5})


class Accounts:
    def __init__(self, support: bool = False, record_error: Exception | None = None):
        self.support = support
        self.record_error = record_error
        self.recorded: list[dict[str, Any]] = []
        self.updates = 0

    def authenticate(self, token: str) -> dict[str, Any]:
        user = {"id": "u1", "role": "customer", "identifier": "home", "email": "h@x.example",
                "display_name": "Home", "language": "en", "reseller_id": "r1",
                "customer_id": "c1"}
        actor = {"user_id": "u1", "role": "customer", "reseller_id": "r1", "customer_id": "c1"}
        support = None
        if self.support:
            actor["support_user_id"] = "s1"
            support = {"user_id": "s1", "name": "Sam Support", "role": "reseller",
                       "customer_id": "c1"}
        return {"user": user, "actor": actor, "support": support, "idle_timeout": 600,
                "expires_at": "2026-11-28T10:30:00+00:00"}

    def portal_brand(self, **where: str) -> dict[str, Any]:
        return {"reseller_id": "r1", "portal_name": "Tel Co", "version": 1,
                "support_phone": "+1 514 555 0100", "support_email": "help@telco.example",
                "logo": False, "favicon": False, "chat_provider": None}

    def get_customer(self, actor: Any, customer_id: str) -> dict[str, Any]:
        return CUSTOMER

    def support_visits(self, actor: Any, customer_id: str) -> list[dict[str, Any]]:
        return [{"at": "2026-11-20T10:00:00+00:00", "name": "Sam Support", "role": "reseller"}]

    def custom_links(self, actor: Any) -> dict[str, Any]:
        return {"items": [{"label": "Tel Co status page", "url": "https://status.telco.example/"}]}

    def record_support_action(self, actor: Any, payload: dict[str, Any]) -> dict[str, int]:
        if self.record_error is not None:
            raise self.record_error
        self.recorded.append(payload)
        return {"entry": len(self.recorded)}

    def update_customer(self, actor: Any, customer_id: str, patch: Any) -> dict[str, Any]:
        self.updates += 1
        if patch.get("name") == "taken":
            raise Conflict("already taken")
        return CUSTOMER


class Away:
    """A service that does not answer any call."""

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            raise AWAY
        return call


class Catalogue:
    def statement(self, *args: Any) -> dict[str, Any]:
        return {"currency": "CAD", "lines": [{"name_en": "Office plan", "name_fr": "Forfait",
                                              "quantity": 2}],
                "monthly": {"total": 5998}}


def get(path: str, backends: Backends) -> Any:
    environ = EnvironBuilder(path=path, headers={"Cookie": "sb_session=tok"}).get_environ()
    return GatewayApp(SETTINGS).handle(Request(environ), backends)


def test_the_home_renders_every_section_or_says_it_is_away():
    backends = Backends(accounts=Accounts(), catalogue=Catalogue(), numbering=Away(),
                        provisioning=Away())
    response = get("/", backends)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Home Co" in html and "Office plan × 2" in html and "59.98" in html
    assert "+1 514 555 0100" in html and "help@telco.example" in html
    assert "Sam Support" in html  # the support visits
    assert 'href="https://status.telco.example/"' in html  # the reseller's custom links
    assert html.count("This section is not available right now") == 2
    assert 'href="/subscription"' in html and 'href="/settings"' in html


def test_the_home_renders_even_with_accounts_sections_away():
    class Flaky(Accounts):
        def get_customer(self, actor: Any, customer_id: str) -> dict[str, Any]:
            raise AWAY

        def support_visits(self, actor: Any, customer_id: str) -> list[dict[str, Any]]:
            raise AWAY

        def custom_links(self, actor: Any) -> dict[str, Any]:
            raise AWAY  # a decoration: the section is left out, not announced as away

    backends = Backends(accounts=Flaky(), catalogue=Away(), numbering=Away(),
                        provisioning=Away())
    response = get("/", backends)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("This section is not available") == 5


def test_the_banner_names_who_is_inside_on_every_page():
    backends = Backends(accounts=Accounts(support=True), catalogue=Catalogue(),
                        numbering=Away(), provisioning=Away())
    html = get("/", backends).get_data(as_text=True)
    assert "Sam Support is inside Home&#39;s account" in html
    assert 'action="/direct-access/leave"' in html
    # Support cannot reach the PIN form: the settings page offers the access codes.
    settings = get("/settings", backends).get_data(as_text=True)
    assert 'action="/settings/password"' not in settings
    assert 'action="/support/access-codes"' in settings


def api_patch(accounts: Accounts, name: str) -> Any:
    environ = EnvironBuilder(path="/api/v1/customers/c1", method="PATCH",
                             json={"name": name},
                             headers={"Authorization": "Bearer tok"}).get_environ()
    return GatewayApp(SETTINGS).handle(Request(environ), Backends(accounts=accounts))


def test_a_write_inside_a_visit_is_recorded_before_it_runs():
    accounts = Accounts(support=True)
    assert api_patch(accounts, "New name").status_code == 200
    assert accounts.updates == 1
    assert accounts.recorded == [{"method": "PATCH", "route": "/api/v1/customers/{customer_id}",
                                  "path": "/api/v1/customers/c1",
                                  "targets": {"customer_id": "c1"}}]
    # A write that fails leaves a second entry naming the first.
    assert api_patch(accounts, "taken").status_code == 409
    assert accounts.recorded[-1]["failed_entry"] == 2 and accounts.recorded[-1]["status"] == 409


def test_a_write_that_cannot_be_recorded_does_not_run():
    accounts = Accounts(support=True, record_error=AWAY)
    response = api_patch(accounts, "New name")
    assert response.status_code == 503
    assert accounts.updates == 0


def test_the_subscriber_itself_is_not_recorded():
    accounts = Accounts(support=False)
    assert api_patch(accounts, "New name").status_code == 200
    assert accounts.recorded == [] and accounts.updates == 1
