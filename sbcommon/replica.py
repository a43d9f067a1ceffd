"""Event-carried copies of accounts' customers, the same in every service that keeps one.

Every customer event from accounts carries the customer's whole current state and its
``version`` (one more at each change). A copy is replaced only by a newer version, so events
that arrive late, out of order or twice can never take a customer back to an older state (a
late ``customer_created`` cannot reopen a closed account).

A service asked about a customer it has not heard of yet (an RPC that overtook the event)
asks accounts *as the actor* (accounts checks the actor's scope), with a timeout and outside
any transaction, and keeps the answer as it would keep an event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, DateTime, String, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from .actor import Actor
from .config import env_int
from .errors import NotFound, Unavailable

UUID_LENGTH = 36


class CustomerState(BaseModel):
    """What a copy keeps of a customer: the fields every customer event carries."""

    model_config = ConfigDict(extra="ignore")

    customer_id: str
    reseller_id: str
    status: str
    name: str = ""
    country: str = ""
    version: int = 0

    @classmethod
    def from_customer(cls, customer: dict[str, Any]) -> CustomerState:
        """From accounts' customer contract (``id`` rather than ``customer_id``)."""
        return cls.model_validate({**customer, "customer_id": customer["id"]})


class CustomerCopy:
    """Columns of a service's ``customers`` table; mix into the service's declarative model."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(UUID_LENGTH), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    country: Mapped[str] = mapped_column(String(2), nullable=False, server_default="")
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())


class NumberHolderCopy:
    """Who holds a phone number, from numbering's ``number_assigned`` / ``number_released``
    events; a released number keeps its row (no holder) so that its version still stops a
    late ``number_assigned``. Mix into a declarative model that names its table."""

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH), index=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")


def apply_number(session: Session, model: type[NumberHolderCopy], number: str,
                 holder: str | None, version: int, **extra: Any) -> bool:
    """Record that ``holder`` (None: nobody) holds ``number`` as of ``version``, unless a
    newer version is known; True when applied. ``extra`` columns are set along."""
    values = {"number": number, "customer_id": holder, "version": version, **extra}
    return _upsert_if_newer(session, model, "number", values)


def apply(session: Session, model: type[CustomerCopy], state: CustomerState | BaseModel,
          now: datetime | None = None) -> bool:
    """Insert or replace the copy when ``state`` (or a customer event) is newer; True when
    it was applied."""
    if not isinstance(state, CustomerState):
        state = CustomerState.model_validate(state.model_dump())
    values = {"id": state.customer_id, "reseller_id": state.reseller_id,
              "status": state.status, "name": state.name[:200],
              "country": state.country.upper()[:2], "version": state.version,
              "updated_at": now or datetime.now(UTC)}
    return _upsert_if_newer(session, model, "id", values)


def _upsert_if_newer(session: Session, model: Any, key: str, values: dict[str, Any]) -> bool:
    """Insert the row, or replace it when ``values["version"]`` is newer; True if written.
    One statement, so two events about the same row racing each other cannot both win."""
    table = model.__table__
    stmt = pg_insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={k: stmt.excluded[k] for k in values if k != key},
        where=table.c.version < stmt.excluded.version,
    ).returning(table.c[key])
    return session.execute(stmt).first() is not None


def apply_organisation(session: Session, model: type[CustomerCopy], event: BaseModel
                       ) -> tuple[str | None, str | None] | None:
    """Keep the customer's organisation (a column ``organisation_id`` of ``model``) from a
    customer event that is the copy's latest state — an equal version included, since a copy
    made through ``ensure`` did not carry it. Returns (before, after) when it changed."""
    new = getattr(event, "organisation_id", None)
    table = model.__table__
    row = session.execute(select(table.c.organisation_id, table.c.version)
                          .where(table.c.id == event.customer_id).with_for_update()).first()
    if row is None or row.version > event.version or row.organisation_id == new:
        return None
    session.execute(table.update().where(table.c.id == event.customer_id)
                    .values(organisation_id=new))
    return row.organisation_id, new


def is_latest(session: Session, model: type[CustomerCopy], event: BaseModel) -> bool:
    """Whether ``event`` is (still) the customer's latest state: a side effect of a close
    must not hit an account that a newer event already reopened."""
    version = session.scalar(select(model.version).where(model.id == event.customer_id))
    return version is None or version <= event.version


def scoped(session: Session, model: type[CustomerCopy], actor: Actor, customer_id: Any,
           *, lock: bool = False) -> Any:
    """The copy if ``actor`` may act on that customer; NotFound otherwise (never Forbidden:
    another tenant's ids must look like ids that do not exist)."""
    if not isinstance(customer_id, str) or len(customer_id) != UUID_LENGTH:
        raise NotFound("no such customer")
    row = session.get(model, customer_id, with_for_update=lock)
    if row is None or not actor.sees(row.reseller_id, row.id):
        raise NotFound("no such customer")
    return row


class CustomerReplica(DependencyProvider):
    """``self.customers.ensure(actor, customer_id)``: make sure the copy exists, asking
    accounts (through the service's ``accounts`` RPC proxy) when no event brought it yet."""

    def __init__(self, model: type[CustomerCopy], database: str = "db",
                 accounts: str = "accounts"):
        self.model = model
        self.database_attr = database
        self.accounts_attr = accounts
        self.timeout = 5.0

    def setup(self) -> None:
        self.database = next(d for d in self.container.dependencies
                             if d.attr_name == self.database_attr)
        self.timeout = float(env_int("SB_ACCOUNTS_LOOKUP_TIMEOUT_SECONDS", 5))

    def get_dependency(self, worker_ctx: Any) -> _Ensure:
        return _Ensure(self, worker_ctx)


class _Ensure:
    def __init__(self, provider: CustomerReplica, worker_ctx: Any):
        self.provider = provider
        self.worker_ctx = worker_ctx

    def ensure(self, actor: Actor, customer_id: Any) -> None:
        """Returns once the copy exists and ``actor`` sees it; NotFound otherwise."""
        model = self.provider.model
        if not isinstance(customer_id, str) or len(customer_id) != UUID_LENGTH:
            raise NotFound("no such customer")
        with self.provider.database.guarded() as session:
            row = session.get(model, customer_id)
            if row is not None:
                if not actor.sees(row.reseller_id, row.id):
                    raise NotFound("no such customer")
                return
        accounts = getattr(self.worker_ctx.service, self.provider.accounts_attr)
        try:
            with eventlet.Timeout(self.provider.timeout):
                found = accounts.get_customer(actor.dump(), customer_id)
        except eventlet.Timeout:
            raise Unavailable("the accounts service did not answer; try again shortly",
                              {"retry_after": 5}) from None
        with self.provider.database.guarded.begin() as session:
            apply(session, model, CustomerState.from_customer(found))
