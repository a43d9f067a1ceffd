"""Idempotency-Key through the API: a repeated creation, number order or e-mail with the
same key is done once and answered alike (counted in the services' databases)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.accounts.models import Customer
from services.notifications.models import Mail
from services.numbering.models import Number
from tests.numbering.conftest import fresh_numbers, import_text
from tests.support import new_customer_body


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def count(sessions, model, *where) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_same_creation_twice_makes_one_customer(reseller_api, databases):
    key, body = str(uuid.uuid4()), new_customer_body()
    first = reseller_api.post("/api/v1/customers", json=body, headers=keyed(key))
    again = reseller_api.post("/api/v1/customers", json=body, headers=keyed(key))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert count(databases["accounts"], Customer, Customer.email == body["email"]) == 1
    # Without a key, the same body is a new request (and the e-mail is now taken).
    assert reseller_api.post("/api/v1/customers", json=body).status_code == 409


def test_the_same_key_with_another_body_is_a_422_naming_the_header(reseller_api):
    key = str(uuid.uuid4())
    assert reseller_api.post("/api/v1/customers", json=new_customer_body(),
                             headers=keyed(key)).status_code == 201
    other = reseller_api.post("/api/v1/customers", json=new_customer_body(), headers=keyed(key))
    assert other.status_code == 422
    assert other.json()["details"][0]["field"] == "Idempotency-Key"
    assert "different request" in other.json()["message"]


def test_a_malformed_key_is_a_400(reseller_api):
    resp = reseller_api.post("/api/v1/customers", json=new_customer_body(),
                             headers=keyed("x" * 201))
    assert resp.status_code == 400
    assert "Idempotency-Key" in resp.json()["message"]


def test_a_conflict_is_answered_again_to_its_repeat(reseller_api):
    taken = reseller_api.create_customer()
    key, body = str(uuid.uuid4()), new_customer_body(email=taken["email"])
    answers = [reseller_api.post("/api/v1/customers", json=body, headers=keyed(key))
               for _ in range(2)]
    assert [a.status_code for a in answers] == [409, 409]
    assert answers[0].json() == answers[1].json()
    assert "already used" in answers[1].json()["message"]


def test_the_same_number_order_twice_assigns_once(reseller_api, databases):
    pool = fresh_numbers(4, "514")
    assert import_text(reseller_api, pool).json()["added"] == 4
    customer = reseller_api.create_customer(country="CA")
    key, order = str(uuid.uuid4()), {"count": 2, "area_code": "514"}
    path = f"/api/v1/customers/{customer['id']}/numbers"
    first = reseller_api.post(path, json=order, headers=keyed(key))
    again = reseller_api.post(path, json=order, headers=keyed(key))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert count(databases["numbering"], Number, Number.customer_id == customer["id"]) == 2


def test_the_same_message_twice_is_mailed_once(reseller_api, databases):
    customer = reseller_api.create_customer()
    key = str(uuid.uuid4())
    path = f"/api/v1/customers/{customer['id']}/emails/message"
    message = {"subject": "Your new line", "body": "It is ready."}
    answers = [reseller_api.post(path, json=message, headers=keyed(key)) for _ in range(2)]
    assert [a.status_code for a in answers] == [202, 202], answers[-1].text
    assert answers[0].json() == answers[1].json()
    assert count(databases["notifications"], Mail, Mail.customer_id == customer["id"],
                 Mail.kind == "message") == 1
