"""Numbering database schema (owned by the numbering service alone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sbcommon.consumer import processed_events_table
from sbcommon.db import service_metadata
from sbcommon.idempotency import idempotency_table
from sbcommon.outbox import outbox_table
from sbcommon.replica import AccountUserCopy, CustomerCopy

metadata = service_metadata()

STATES = ("available", "reserved", "assigned", "aging")


class Base(DeclarativeBase):
    metadata = metadata


class Number(Base):
    """One phone number of one reseller's pool; the E.164 is unique platform-wide."""

    __tablename__ = "numbers"
    __table_args__ = (
        CheckConstraint("state IN ('available', 'reserved', 'assigned', 'aging')",
                        name="state"),
        CheckConstraint("(state IN ('assigned', 'reserved')) = (customer_id IS NOT NULL)",
                        name="holder"),
        CheckConstraint("user_id IS NULL OR customer_id IS NOT NULL", name="user_holder"),
        # Orders pick available numbers of a reseller by country and prefix.
        Index("ix_numbers_pool", "reseller_id", "state", "country", "e164"),
        Index("ix_numbers_customer", "customer_id", "e164"),
        Index("ix_numbers_reseller_e164", "reseller_id", "e164"),
        Index("ix_numbers_aging", "available_at", postgresql_where="state = 'aging'"),
        Index("ix_numbers_user", "user_id", postgresql_where="user_id IS NOT NULL"),
    )

    e164: Mapped[str] = mapped_column(String(16), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    # The customer's user who holds it (its phone line calls from it); NULL: the account.
    user_id: Mapped[str | None] = mapped_column(String(36))
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    area_code: Mapped[str] = mapped_column(String(8), nullable=False, server_default="")
    number_type: Mapped[str] = mapped_column(String(24), nullable=False)
    available_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    import_id: Mapped[int | None] = mapped_column(BigInteger)
    # One more at every change; number events carry it for the services keeping a copy.
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0,
                                         server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())


class NumberHistory(Base):
    """Who held each number, and every change of its state."""

    __tablename__ = "number_history"
    __table_args__ = (Index("ix_number_history_e164", "e164", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    e164: Mapped[str] = mapped_column(String(16), nullable=False)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    actor_user_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class PoolSettings(Base):
    __tablename__ = "pool_settings"

    reseller_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Days a released number rests before it can be sold again (0: at once).
    aging_days: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class KnownCustomer(CustomerCopy, Base):
    """Event-carried copy of the customers numbering needs (from accounts' events)."""


class KnownUser(AccountUserCopy, Base):
    """Event-carried copy of the customers' users (``account_user_changed``): a number is
    given only to a user of the customer that holds it."""

    __tablename__ = "account_users"


class NumberImport(Base):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, server_default="running")
    lines_read: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    added: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    bytes_total: Mapped[int | None] = mapped_column(BigInteger)
    bytes_read: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last data
    reason: Mapped[str | None] = mapped_column(String(200))  # why it failed


class ImportRejection(Base):
    """A line of an import that was not added: its number, its text and why."""

    __tablename__ = "import_rejections"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    import_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    line: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    message: Mapped[str] = mapped_column(String(200), nullable=False)
    details: Mapped[dict | None] = mapped_column(JSONB)


class NumberQuota(Base):
    """How many numbers a customer may hold when it orders them itself (domain.quotas);
    ``max_numbers`` NULL: the default."""

    __tablename__ = "number_quotas"

    customer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False)
    max_numbers: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
idempotency = idempotency_table(metadata)
