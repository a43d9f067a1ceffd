"""The shared pieces of the event backbone, without a broker: back-off, the tenant-scope
rule, version-checked copies (real PostgreSQL) and unreachable databases as 503."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from sbcommon import replica
from sbcommon.actor import Actor, Role
from sbcommon.consumer import RetryPolicy
from sbcommon.db import Sessions, make_engine
from sbcommon.errors import NotFound, Unavailable
from services.numbering.models import KnownCustomer, Number
from services.provisioning.models import CustomerNumber


def test_back_off_doubles_up_to_its_cap():
    policy = RetryPolicy(max_attempts=8, base_seconds=0.5, cap_seconds=30)
    assert [policy.delay_ms(n) for n in range(1, 9)] == [
        500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]


def test_one_tenant_scope_rule():
    reseller = Actor(user_id="u", role=Role.RESELLER, reseller_id="r1")
    subscriber = Actor(user_id="u", role=Role.CUSTOMER, reseller_id="r1", customer_id="c1")
    admin = Actor(user_id="u", role=Role.ADMIN)
    assert reseller.sees("r1", "c9") and not reseller.sees("r2", "c1")
    assert subscriber.sees("r1", "c1") and not subscriber.sees("r1", "c2")
    assert admin.sees("r2", "c2") and not reseller.sees(None)


def _state(cid: str, status: str, version: int) -> replica.CustomerState:
    return replica.CustomerState(customer_id=cid, reseller_id="r1", status=status,
                                 name="Acme", country="ca", version=version)


def test_a_copy_takes_only_newer_versions(databases):
    sessions = databases["numbering"]
    cid = str(uuid.uuid4())
    with sessions.begin() as s:
        assert replica.apply(s, KnownCustomer, _state(cid, "closed", 5))
        assert not replica.apply(s, KnownCustomer, _state(cid, "trial", 1))
        assert not replica.apply(s, KnownCustomer, _state(cid, "production", 5))
    with sessions() as s:
        row = s.get(KnownCustomer, cid)
        assert (row.status, row.version, row.country) == ("closed", 5, "CA")
    with sessions.begin() as s:
        assert replica.apply(s, KnownCustomer, _state(cid, "production", 6))  # reopened


def test_scoped_copy_hides_other_tenants(databases):
    sessions = databases["numbering"]
    cid = str(uuid.uuid4())
    with sessions.begin() as s:
        replica.apply(s, KnownCustomer, _state(cid, "production", 1))
    mine = Actor(user_id="u", role=Role.RESELLER, reseller_id="r1")
    theirs = Actor(user_id="u", role=Role.RESELLER, reseller_id="r2")
    with sessions() as s:
        assert replica.scoped(s, KnownCustomer, mine, cid).id == cid
        for who, which in ((theirs, cid), (mine, "x" * 500), (mine, str(uuid.uuid4()))):
            with pytest.raises(NotFound):
                replica.scoped(s, KnownCustomer, who, which)


def test_a_released_number_keeps_its_version_against_a_late_assignment(databases):
    sessions = databases["provisioning"]
    number = f"+1514{uuid.uuid4().int % 10**7:07d}"
    with sessions.begin() as s:
        assert replica.apply_number(s, CustomerNumber, number, None, 4)
        assert not replica.apply_number(s, CustomerNumber, number, "c1", 3)
    with sessions() as s:
        row = s.scalars(select(CustomerNumber).where(CustomerNumber.number == number)).one()
        assert (row.customer_id, row.version) == (None, 4)


def test_an_unreachable_database_is_unavailable_not_an_internal_error():
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", pool_size=1,
                         connect_args={"connect_timeout": 2})
    guarded = Sessions(sessionmaker(engine), "numbering")
    with pytest.raises(Unavailable) as caught, guarded() as s:
        s.execute(select(Number.e164).limit(1))
    assert caught.value.status == 503
    assert caught.value.details == {"retry_after": 5}
    assert "numbering database is unavailable" in caught.value.message
    engine.dispose()
