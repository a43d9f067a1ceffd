import time

import pytest
from pydantic import ValidationError

from sbcommon.actor import Actor, sign_actor
from sbcommon.contracts.accounts import CustomerCreate, CustomerQuery, CustomerUpdate
from sbcommon.errors import Forbidden, Invalid
from sbcommon.validation import parse


def test_identifier_is_normalised_and_email_validated():
    data = CustomerCreate(kind="company", name="  Acme  ", email="A@Example.COM",
                          identifier="  Acme.Sales ", start="production")
    assert data.name == "Acme"
    assert data.identifier == "acme.sales"


@pytest.mark.parametrize("field, value", [
    ("name", "a\u0000b"), ("name", "line\nbreak"), ("phone", "call me"), ("country", "CAN"),
    ("language", "de"), ("identifier", "ab"), ("email", "x@"),
])
def test_create_rejects(field, value):
    body = {"kind": "company", "name": "Acme", "email": "a@b.example", "start": "trial",
            field: value}
    with pytest.raises(ValidationError):
        CustomerCreate.model_validate(body)


def test_update_needs_a_field_and_cannot_close():
    with pytest.raises(ValidationError):
        CustomerUpdate.model_validate({})
    with pytest.raises(ValidationError):
        CustomerUpdate.model_validate({"status": "closed"})


def test_parse_reports_every_bad_field_with_its_location():
    with pytest.raises(Invalid) as caught:
        parse(CustomerQuery, {"per_page": 1000, "sort": "password"}, "query")
    fields = {d["field"] for d in caught.value.details}
    assert fields == {"per_page", "sort"}
    assert "query" in caught.value.message


def test_actor_needs_its_tenant_ids():
    with pytest.raises(Invalid):
        Actor.parse(sign_actor({"user_id": "u", "role": "reseller"}))
    with pytest.raises(Invalid):
        Actor.parse(sign_actor({"user_id": "u", "role": "customer", "reseller_id": "r"}))
    with pytest.raises(Invalid):
        Actor.parse(None)
    actor = Actor.parse(sign_actor({"user_id": "u", "role": "admin"}))
    assert actor.is_admin


def test_an_actor_is_refused_unsigned_altered_expired_or_under_an_unknown_key():
    plain = {"user_id": "u", "role": "reseller", "reseller_id": "r1"}
    with pytest.raises(Forbidden, match="not signed"):
        Actor.parse(plain)
    signed = sign_actor(plain)
    assert Actor.parse(signed).reseller_id == "r1"
    with pytest.raises(Forbidden, match="wrong signature"):
        Actor.parse({**signed, "role": "admin"})  # promoted on the way
    with pytest.raises(Forbidden, match="wrong signature"):
        Actor.parse({**signed, "kid": "someone-else"})
    with pytest.raises(Forbidden, match="expired"):
        Actor.parse(sign_actor(plain, now=time.time() - 3600))
    # what a service passes on is signed again, and still the same actor
    assert Actor.parse(Actor.parse(signed).dump()) == Actor.parse(signed)


def test_a_producer_that_breaks_its_event_contract_fails_when_recording():
    import pydantic

    from sbcommon.outbox import EventRecorder
    from services.numbering.models import outbox

    class NoSession:
        def execute(self, *args: object) -> None:
            raise AssertionError("nothing may be written for a malformed event")

    recorder = EventRecorder(outbox)
    with pytest.raises(pydantic.ValidationError):
        recorder.record(NoSession(), "number_assigned", {"reseller_id": "r", "number": "+1"})
