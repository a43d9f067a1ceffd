"""Customer and number events delivered late, out of order or twice: every copy ends in the
state of the newest event."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.numbering.models import KnownCustomer as NumberingCustomer
from services.provisioning.models import Customer as ProvisioningCustomer
from services.provisioning.models import CustomerNumber
from services.routing_policy.models import CallerNumber
from services.routing_policy.models import KnownCustomer as RoutingCustomer
from tests.chaos.conftest import dispatch, eventually

COPIES = {"numbering": NumberingCustomer, "routing_policy": RoutingCustomer,
          "provisioning": ProvisioningCustomer}


def _copies(databases, customer_id: str) -> dict[str, tuple[str, int] | None]:
    out = {}
    for service, model in COPIES.items():
        with databases[service]() as session:
            row = session.get(model, customer_id)
            out[service] = (row.status, row.version) if row else None
    return out


def test_a_late_created_or_updated_never_reopens_a_closed_customer(platform, reseller_api,
                                                                  databases):
    customer = reseller_api.create_customer(country="CA", start="production")
    cid = customer["id"]
    assert eventually(lambda: all(_copies(databases, cid).values()))
    state = {k: customer[k] for k in ("reseller_id", "kind", "name", "email", "language",
                                      "country")}
    state["customer_id"] = cid
    # What accounts would have sent for five changes, delivered newest first.
    dispatch("accounts", "customer_closed", {**state, "status": "closed", "version": 5,
                                             "previous_status": "suspended",
                                             "closed_at": "2026-11-27T10:00:00+00:00"})
    dispatch("accounts", "customer_status_changed", {**state, "status": "suspended",
                                                     "version": 4,
                                                     "previous_status": "production"})
    dispatch("accounts", "customer_updated", {**state, "status": "production", "version": 3,
                                              "fields": ["name"]})
    dispatch("accounts", "customer_created", {**state, "status": "trial", "version": 1})
    redelivered = dispatch("accounts", "customer_created", {**state, "status": "trial",
                                                            "version": 2})
    dispatch("accounts", "customer_created", redelivered)  # the same event_id again

    closed = {service: ("closed", 5) for service in COPIES}
    eventually(lambda: _copies(databases, cid) == closed)
    wrong = [s for s, v in _copies(databases, cid).items() if v != ("closed", 5)]
    print(f"\nout-of-order customer events: wrong copies={len(wrong)}")
    assert wrong == [], _copies(databases, cid)


def test_a_late_assignment_never_undoes_a_release(platform, reseller_api, databases):
    customer = reseller_api.create_customer(country="CA", start="production")
    number = f"+1438{uuid.uuid4().int % 10**7:07d}"
    common = {"reseller_id": customer["reseller_id"], "customer_id": customer["id"],
              "number": number, "country": "CA"}
    dispatch("numbering", "number_released", {**common, "reason": "unassigned", "version": 4})
    dispatch("numbering", "number_assigned", {**common, "version": 3})

    def holders() -> dict[str, tuple[str | None, int] | None]:
        out = {}
        for service, model in (("routing_policy", CallerNumber),
                               ("provisioning", CustomerNumber)):
            with databases[service]() as session:
                row = session.scalars(select(model).where(model.number == number)).first()
                out[service] = (row.customer_id, row.version) if row else None
        return out

    released = {"routing_policy": (None, 4), "provisioning": (None, 4)}
    eventually(lambda: holders() == released)
    assert holders() == released
