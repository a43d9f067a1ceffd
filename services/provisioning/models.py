"""Provisioning database schema (owned by the provisioning service alone).

``customers`` and ``customer_numbers`` are event-carried copies of what accounts and
numbering announce, so the service (and its FTP/HTTP file server) keeps working when they
are down. Secrets (FTP passwords, SIP line secrets) are stored Fernet-encrypted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
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


class Customer(CustomerCopy, Base):
    """What provisioning knows of a customer account (from accounts' events)."""


class ResellerSipServer(Base):
    """A reseller's SIP domain and outbound proxy (from accounts' reseller events)."""

    __tablename__ = "reseller_sip_servers"

    reseller_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sip_domain: Mapped[str | None] = mapped_column(String(253))
    sip_proxy: Mapped[str | None] = mapped_column(String(260))
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    updated_at: Mapped[datetime] = _now()


class CustomerNumber(NumberHolderCopy, Base):
    """Who holds a phone number (from numbering's events), E.164; no holder once released."""

    __tablename__ = "customer_numbers"

    assigned_at: Mapped[datetime] = _now()
    # The customer's user who holds it, if one does: that user's lines call from it.
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)


class AccountUser(AccountUserCopy, Base):
    """The customers' users (from accounts' ``account_user_changed``): whose line is whose,
    and the name the phone shows."""

    __tablename__ = "account_users"


class FtpAccount(Base):
    """One FTP (and HTTP) login per customer; the password is readable by the reseller on
    the boot configuration page, hence encrypted (not hashed)."""

    __tablename__ = "ftp_accounts"

    customer_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    password_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _now()
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (Index("ix_devices_customer_name", "customer_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    # 12 lowercase hex digits; unique platform-wide (one MAC, one device, one customer).
    mac: Mapped[str] = mapped_column(String(12), nullable=False, unique=True)
    model: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # The line it serves: the name shown on the phone and (optionally) one of the
    # customer's numbers; without one it shows the customer's first number.
    display_name: Mapped[str | None] = mapped_column(String(100))
    number: Mapped[str | None] = mapped_column(String(16))
    # The customer's user the line belongs to (its name and number on the phone); the line
    # goes when the user is deleted.
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    sip_username: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    sip_secret_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    # One more at every change of the line (sip_credentials_changed carries it).
    sip_version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    last_provisioned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_provisioned_file: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class AddressBlock(Base):
    """Failed FTP/HTTP logins per client address, shared by every file-server process
    (domain.blocklist)."""

    __tablename__ = "address_blocks"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    # times of its recent failures: a sliding window, at most max_failures of them
    recent: Mapped[list[datetime]] = mapped_column(ARRAY(DateTime(timezone=True)),
                                                   nullable=False)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
idempotency = idempotency_table(metadata)
