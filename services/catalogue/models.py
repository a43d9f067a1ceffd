"""catalogue database schema (owned by this service alone).

Items are never deleted once created: an item is retired (``retired_at``) and every change
of it is kept in ``item_history``. ``customers`` and ``resellers`` are event-carried copies
from accounts, used for tenant checks and for a reseller's default currency.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sbcommon.consumer import processed_events_table
from sbcommon.db import service_metadata
from sbcommon.idempotency import idempotency_table
from sbcommon.outbox import outbox_table
from sbcommon.replica import CustomerCopy

metadata = service_metadata()
ID = 36


class Base(DeclarativeBase):
    metadata = metadata


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class KnownCustomer(CustomerCopy, Base):
    """What accounts told us about a customer (every customer event carries its state)."""


class KnownReseller(Base):
    """A reseller, from accounts' ``reseller_created``: the administrator's pages list them
    and its country gives the default currency of its prices."""

    __tablename__ = "resellers"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False, server_default="")
    created_at: Mapped[datetime] = _now()


class Pricing(Base):
    """A reseller's pricing terms, set by the administrator: its currency and its taxes
    (name, rate in thousandths of a percent, the line types it applies to)."""

    __tablename__ = "pricing"

    reseller_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False,
                                                        server_default="[]")
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = _now()


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("kind IN ('plan', 'option', 'device', 'fee')", name="kind"),
        CheckConstraint("recurrence IN ('monthly', 'once')", name="recurrence"),
        CheckConstraint("quantity_rule IN ('account', 'user')", name="quantity_rule"),
        CheckConstraint("price >= 0", name="price"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    name_fr: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)  # list price, minor units
    recurrence: Mapped[str] = mapped_column(String(10), nullable=False)
    quantity_rule: Mapped[str] = mapped_column(String(10), nullable=False)
    device_model: Mapped[str | None] = mapped_column(String(40))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class ItemChange(Base):
    __tablename__ = "item_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), nullable=False, index=True)
    changed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    changed_at: Mapped[datetime] = _now()
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # field: [old, new]


class Availability(Base):
    """An item the administrator made available to a reseller, at a wholesale price in the
    reseller's currency."""

    __tablename__ = "availability"
    __table_args__ = (CheckConstraint("wholesale_price >= 0", name="wholesale_price"),)

    reseller_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    available: Mapped[bool] = mapped_column(Boolean, nullable=False)
    wholesale_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = _now()


class Offer(Base):
    """What a reseller offers of what was made available to it, at its retail price."""

    __tablename__ = "offers"
    __table_args__ = (CheckConstraint("retail_price >= 0", name="retail_price"),)

    reseller_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    offered: Mapped[bool] = mapped_column(Boolean, nullable=False)
    retail_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = _now()


class PromotionRow(Base):
    __tablename__ = "promotions"
    __table_args__ = (
        CheckConstraint("(percent IS NULL) <> (amount_off IS NULL)", name="one_discount"),
        CheckConstraint("percent IS NULL OR (percent > 0 AND percent <= 100000)",
                        name="percent"),
        CheckConstraint("amount_off IS NULL OR amount_off > 0", name="amount_off"),
        CheckConstraint("months IS NULL OR months BETWEEN 1 AND 120", name="months"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    kinds: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    item_id: Mapped[str | None] = mapped_column(ForeignKey("items.id"))
    percent: Mapped[int | None] = mapped_column(Integer)  # thousandths of a percent
    amount_off: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))  # of amount_off
    months: Mapped[int | None] = mapped_column(Integer)  # None: one-time discount
    created_at: Mapped[datetime] = _now()


class ResellerPromotion(Base):
    __tablename__ = "reseller_promotions"

    reseller_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    promotion_id: Mapped[str] = mapped_column(ForeignKey("promotions.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime] = _now()


class Subscription(Base):
    __tablename__ = "subscriptions"

    customer_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(String(ID), nullable=False, index=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = _now()


class SubscriptionLine(Base):
    """One item of a subscription, at the retail price of the day it was set."""

    __tablename__ = "subscription_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    customer_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.customer_id"),
                                             primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)


class AppliedPromotion(Base):
    __tablename__ = "subscription_promotions"

    customer_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.customer_id"),
                                             primary_key=True)
    promotion_id: Mapped[str] = mapped_column(ForeignKey("promotions.id"), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    applied_by: Mapped[str] = mapped_column(String(64), nullable=False)


class SubscriptionChange(Base):
    """Who changed a subscription, when, and what (old → new)."""

    __tablename__ = "subscription_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(ID), nullable=False, index=True)
    reseller_id: Mapped[str] = mapped_column(String(ID), nullable=False)
    changed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    changed_at: Mapped[datetime] = _now()
    old: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
idempotency = idempotency_table(metadata)
