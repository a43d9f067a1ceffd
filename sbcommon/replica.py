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
from sqlalchemy import BigInteger, Boolean, DateTime, String, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from .actor import Actor
from .config import env_int
from .errors import Forbidden, NotFound, Unavailable

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


class AccountUserCopy:
    """A user of a customer account, from accounts' ``account_user_changed`` events: whom a
    number or a phone line may belong to, and the name it shows. A deleted user keeps its
    row (``deleted``) so that its version still stops a late, older event. Mix into a
    declarative model that names its table."""

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(UUID_LENGTH), nullable=False, index=True)
    reseller_id: Mapped[str] = mapped_column(String(UUID_LENGTH), nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    extension: Mapped[str | None] = mapped_column(String(6))
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")


def apply_user(session: Session, model: type[AccountUserCopy], event: BaseModel) -> bool:
    """Keep an ``account_user_changed`` event in the copy unless a newer version is known;
    True when applied (then the caller may act on a deletion)."""
    data = event.model_dump()
    values = {"id": data["user_id"], "customer_id": data["customer_id"],
              "reseller_id": data["reseller_id"], "display_name": data["display_name"][:200],
              "extension": data.get("extension"), "deleted": bool(data.get("deleted")),
              "version": data["version"]}
    return _upsert_if_newer(session, model, "id", values)


def user_of(session: Session, model: type[AccountUserCopy], customer_id: str,
            user_id: Any) -> Any:
    """The customer's live user ``user_id`` from the copy; NotFound naming ``user_id``
    otherwise (another account's user looks like one that does not exist)."""
    row = session.get(model, user_id) if isinstance(user_id, str) and \
        len(user_id) == UUID_LENGTH else None
    if row is None or row.deleted or row.customer_id != customer_id:
        raise NotFound("this account has no such user",
                       [{"field": "user_id", "message": "no such user in this account"}])
    return row


def ensure_user(db: Any, accounts: Any, model: type[AccountUserCopy], actor: Actor,
                customer_id: str, user_id: Any, timeout: float = 5.0) -> None:
    """A user created a moment ago may not have reached this service yet: ask accounts
    (``get_account_user``, scoped by the same actor, outside any transaction) and keep the
    answer as an event. ``db`` is the worker's database dependency. A user accounts does
    not show the actor is left to ``user_of`` (NotFound naming ``user_id``)."""
    if not isinstance(user_id, str) or len(user_id) != UUID_LENGTH:
        return
    with db() as session:
        if session.get(model, user_id) is not None:
            return
    try:
        with eventlet.Timeout(timeout):
            found = accounts.get_account_user(actor.dump(), customer_id, user_id)
    except eventlet.Timeout:
        raise Unavailable("the accounts service did not answer; try again shortly",
                          {"retry_after": 5}) from None
    except (NotFound, Forbidden):
        return
    state = _UserState.model_validate({**found, "user_id": found["id"]})
    with db.begin() as session:
        apply_user(session, model, state)


class _UserState(BaseModel):
    """An ``AccountUser`` answer in the shape of ``account_user_changed``."""

    model_config = ConfigDict(extra="ignore")

    user_id: str
    customer_id: str
    reseller_id: str
    display_name: str
    extension: str | None = None
    version: int
    deleted: bool = False


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
