"""routing_policy database schema (owned by this service alone).

``customers`` and ``caller_numbers`` are event-carried state from accounts and numbering, so
authorisation never calls another service.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sbcommon.consumer import processed_events_table
from sbcommon.db import service_metadata
from sbcommon.idempotency import idempotency_table
from sbcommon.outbox import outbox_table
from sbcommon.replica import AccountUserCopy, CustomerCopy, NumberHolderCopy

metadata = service_metadata()


class Base(DeclarativeBase):
    metadata = metadata


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class KnownCustomer(CustomerCopy, Base):
    """What accounts told us about a customer (every customer event carries its state)."""

    # Its organisation (from the same events): members share one directory.
    organisation_id: Mapped[str | None] = mapped_column(String(36), index=True)


class CallerNumber(NumberHolderCopy, Base):
    """Who holds a number (numbering.number_assigned / _released); no holder once released."""

    __tablename__ = "caller_numbers"

    # The account's user that holds it, when numbering says so (the directory lists it there).
    user_id: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime] = _now()


class AccountUser(AccountUserCopy, Base):
    """The customers' users (accounts' ``account_user_changed``): their names and
    extensions in the shared directory."""

    __tablename__ = "account_users"


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
                                      name="default_action"),
                      CheckConstraint("unavailable_action IN ('allow', 'deny')",
                                      name="unavailable_action"))

    reseller_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    default_action: Mapped[str] = mapped_column(String(5), nullable=False)
    # What the PBX is told while this service cannot be reached (fail open or closed).
    unavailable_action: Mapped[str] = mapped_column(String(5), nullable=False,
                                                    server_default="deny")
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


class SipUserRow(Base):
    """A phone line's SIP user, from provisioning's ``sip_credentials_changed`` events: its
    customer, its calling number and its digest HA1 per realm (never the secret). A deleted
    line keeps its row, without HA1, so its version still stops a late event."""

    __tablename__ = "sip_users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    caller_id: Mapped[str | None] = mapped_column(String(16))
    ha1: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = _now()


class CacheGeneration(Base):
    """One counter, one more at every change a replica's cache must see (in the change's
    transaction). Each broadcast carries it; a replica whose cache is behind the database's
    counter missed one, and reloads."""

    __tablename__ = "cache_generation"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
idempotency = idempotency_table(metadata)
