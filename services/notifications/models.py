"""Notifications database schema (owned by the notifications service alone).

``mail`` is both the outbox and the delivery log: a message is stored whole (``raw``, the
RFC 5322 bytes) before anything is sent; the sender delivers it and then keeps only the
log columns. ``raw`` is wiped once the message is final (sent or failed) because it may
hold a single-use link, which must not stay at rest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sbcommon.consumer import processed_events_table
from sbcommon.db import service_metadata
from sbcommon.idempotency import idempotency_table

metadata = service_metadata()

MAIL_KINDS = ("access_codes", "reset", "welcome", "trial_ending", "trial_ends_today",
              "message", "statement")
MAIL_STATUSES = ("waiting", "sent", "failed")


class Base(DeclarativeBase):
    metadata = metadata


class Mail(Base):
    __tablename__ = "mail"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'sent', 'failed')", name="status"),
        # The sender's claim: due waiting mail, oldest first.
        Index("ix_mail_due", "next_attempt_at", postgresql_where="status = 'waiting'"),
        # The delivery log of one reseller, newest first.
        Index("ix_mail_reseller_created", "reseller_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str | None] = mapped_column(String(36))  # None: platform mail
    customer_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    message_id: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), nullable=False, server_default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A custom template that failed to render (the default was sent instead): reported here.
    template_error: Mapped[str | None] = mapped_column(Text)


class Branding(Base):
    """How a reseller's mail and PDFs look: a copy of what accounts owns, kept from its
    reseller events; a reseller without a row gets the platform's defaults
    (``domain.brand.DEFAULT``)."""

    __tablename__ = "branding"

    reseller_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    logo_url: Mapped[str | None] = mapped_column(String(500))
    primary_color: Mapped[str] = mapped_column(String(7), nullable=False,
                                               server_default="#1f4fd1")
    accent_color: Mapped[str] = mapped_column(String(7), nullable=False,
                                              server_default="#0d1b3e")
    support_phone: Mapped[str | None] = mapped_column(String(32))
    support_email: Mapped[str | None] = mapped_column(String(254))
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The reseller's version (accounts' reseller_updated): only newer events apply.
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())


class MailTemplate(Base):
    """An edited mail template: the system administrator's default (scope "*") or a
    reseller's override (scope = its id) of one kind of mail in one language."""

    __tablename__ = "mail_templates"
    __table_args__ = (UniqueConstraint("scope", "kind", "language"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    html: Mapped[str] = mapped_column(Text, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(36), nullable=False)


processed_events = processed_events_table(metadata)
idempotency = idempotency_table(metadata)
