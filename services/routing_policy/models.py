"""routing_policy database schema (owned by this service alone).

``customers`` and ``caller_numbers`` are event-carried state from accounts and numbering, so
authorisation never calls another service.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Index,
    String,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sbcommon.db import service_metadata
from sbcommon.idempotency import idempotency_table
from sbcommon.outbox import outbox_table, processed_events_table

metadata = service_metadata()


class Base(DeclarativeBase):
    metadata = metadata


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class KnownCustomer(Base):
    """What accounts told us about a customer (customer_created / _updated / _closed)."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    updated_at: Mapped[datetime] = _now()


class CallerNumber(Base):
    """A number assigned to a customer (numbering.number_assigned / _released)."""

    __tablename__ = "caller_numbers"

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    updated_at: Mapped[datetime] = _now()


class RuleRow(Base):
    __tablename__ = "rules"
    __table_args__ = (
        CheckConstraint("action IN ('allow', 'deny')", name="action"),
        CheckConstraint("match IN ('destination', 'prefix', 'country', 'category')",
                        name="match"),
        # One rule per (level, match, value): a duplicate or a contradiction is a conflict.
        # customer_id is NULL for reseller-level rules, hence the COALESCE.
        Index("uq_rules_scope_match_value", "reseller_id",
              func.coalesce(text("customer_id"), ""), "match", "value",
              unique=True),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(5), nullable=False)
    match: Mapped[str] = mapped_column(String(12), nullable=False)
    value: Mapped[str] = mapped_column(String(32), nullable=False)
    note: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = _now()


class ResellerPolicy(Base):
    __tablename__ = "reseller_policies"
    __table_args__ = (CheckConstraint("default_action IN ('allow', 'deny')",
                                      name="default_action"),)

    reseller_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    default_action: Mapped[str] = mapped_column(String(5), nullable=False)
    updated_at: Mapped[datetime] = _now()


class PbxTokenRow(Base):
    """Only the SHA-256 of a token is kept: tokens are 256-bit random, so a fast hash is
    enough (no dictionary to attack) and verification costs microseconds per call."""

    __tablename__ = "pbx_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    reseller_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = _now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
idempotency = idempotency_table(metadata)
