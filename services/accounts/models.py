"""Accounts database schema (owned by the accounts service alone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sbcommon.consumer import processed_events_table
from sbcommon.db import service_metadata
from sbcommon.idempotency import idempotency_table
from sbcommon.outbox import outbox_table

metadata = service_metadata()


class Base(DeclarativeBase):
    metadata = metadata


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class Reseller(Base):
    __tablename__ = "resellers"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended')", name="status"),
        Index("ix_resellers_name", text("lower(name)")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The identifier of its first administrator; names its portal under the platform's host.
    slug: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False, server_default="CA")
    language: Mapped[str] = mapped_column(String(2), nullable=False, server_default="fr")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default="CAD")
    trial_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="active")
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32))
    support_phone: Mapped[str | None] = mapped_column(String(32))
    support_email: Mapped[str | None] = mapped_column(String(254))
    portal_name: Mapped[str | None] = mapped_column(String(200))
    primary_color: Mapped[str] = mapped_column(String(7), nullable=False,
                                               server_default="#1f4fd1")
    accent_color: Mapped[str] = mapped_column(String(7), nullable=False,
                                              server_default="#0d1b3e")
    host_name: Mapped[str | None] = mapped_column(String(253), unique=True)
    chat_provider: Mapped[str | None] = mapped_column(String(20))
    chat_site_id: Mapped[str | None] = mapped_column(String(64))
    chat_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    pbx_name: Mapped[str | None] = mapped_column(String(100))
    sip_domain: Mapped[str | None] = mapped_column(String(253))
    sip_proxy: Mapped[str | None] = mapped_column(String(260))
    default_carrier: Mapped[str | None] = mapped_column(String(100))
    setup_step: Mapped[str] = mapped_column(String(20), nullable=False,
                                            server_default="settings")
    # One more at every change; reseller events carry it so copies apply only newer ones.
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class ResellerImage(Base):
    """The reseller's logo and favicon, as re-encoded by the platform (never the upload)."""

    __tablename__ = "reseller_images"
    __table_args__ = (CheckConstraint("kind IN ('logo', 'favicon')", name="kind"),)

    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    mimetype: Mapped[str] = mapped_column(String(40), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("kind IN ('company', 'professional')", name="kind"),
        CheckConstraint(
            "status IN ('trial', 'production', 'suspended', 'closed', 'archived')",
            name="status"
        ),
        # The lifecycle timers look for trials ending and closed accounts past retention.
        Index("ix_customers_status_trial_ends", "status", "trial_ends_at"),
        Index("ix_customers_status_closed", "status", "closed_at"),
        # Every list query is scoped to one reseller; these serve its filters and sorts, with
        # the kind (the portal's tabs) and without it (the API's default list). They end in
        # id so the page's ids come from an index-only scan (see domain.customers.search).
        Index("ix_customers_scope_name", "reseller_id", "kind", "name_key", "id"),
        Index("ix_customers_scope_created", "reseller_id", "kind", "created_at", "id"),
        Index("ix_customers_scope_status", "reseller_id", "kind", "status", "name_key", "id"),
        Index("ix_customers_reseller_name", "reseller_id", "name_key", "id"),
        Index("ix_customers_reseller_created", "reseller_id", "created_at", "id"),
        Index("ix_customers_reseller_status", "reseller_id", "status", "name_key", "id"),
        # 1-2 character searches match the start of the name (LIKE 'ab%' in any collation).
        Index("ix_customers_name_prefix", "reseller_id", "name_key",
              postgresql_ops={"name_key": "text_pattern_ops"}),
        Index(
            "ix_customers_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_key: Mapped[str] = mapped_column(
        String(200), Computed("lower(name)", persisted=True), nullable=False
    )
    identifier: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2), nullable=False, server_default="fr")
    country: Mapped[str] = mapped_column(String(2), nullable=False, server_default="CA")
    contact_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    # The organisation it is affiliated to (at most one), sharing its directory.
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    trial_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The reseller locked the subscriber's own changes to its settings (see sbcommon.locks).
    locked: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    # One more at every change; every customer event carries it so that the services
    # keeping a copy apply only what is newer than what they have.
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()
    search_text: Mapped[str] = mapped_column(
        Text,
        Computed("lower(name || ' ' || identifier || ' ' || email)", persisted=True),
        nullable=False,
    )


class Organisation(Base):
    """Accounts of one reseller affiliated together: their users call each other by
    extension and share one directory. Members point at it (``customers.organisation_id``)."""

    __tablename__ = "organisations"
    __table_args__ = (Index("ix_organisations_reseller_name", "reseller_id", text("lower(name)")),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'reseller', 'customer')", name="role"),
        CheckConstraint(
            "(role = 'customer') = (account_role IS NOT NULL) "
            "AND (account_role IS NULL OR account_role IN ('account_admin', 'user'))",
            name="account_role"),
        CheckConstraint(
            "extension IS NULL OR (extension ~ '^[0-9]{2,6}$' AND customer_id IS NOT NULL)",
            name="extension"),
        Index("ix_users_email_lower", text("lower(email)"), unique=True),
        # Extensions are dialled inside one account: unique there, free elsewhere.
        Index("ix_users_customer_extension", "customer_id", "extension", unique=True,
              postgresql_where=text("extension IS NOT NULL")),
        Index("ix_users_customer", "customer_id", "display_name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    reseller_id: Mapped[str | None] = mapped_column(ForeignKey("resellers.id"))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    identifier: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(2), nullable=False, server_default="fr")
    # Users of a customer account only: its extension (2-6 digits) and its role there
    # (account_admin manages the account's users; user sees its own numbers and lines).
    extension: Mapped[str | None] = mapped_column(String(6))
    account_role: Mapped[str | None] = mapped_column(String(20))
    # One more at every change; account_user_changed carries it so copies apply only newer.
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    updated_at: Mapped[datetime] = _now()
    # NULL until the user chooses one through a single-use link (access codes / forgot).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(nullable=False, server_default="false")
    created_at: Mapped[datetime] = _now()
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # SHA-256 of the bearer token: a database leak does not hand out live sessions.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # Direct access: the reseller's (or administrator's) user inside the subscriber's
    # account, for a fixed time that activity does not extend.
    support_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)


class AuditEntry(Base):
    """One line of a reseller's audit log. Append-only: no code path updates or deletes a
    row, and a trigger (migration 0060_subscriber) refuses UPDATE, DELETE and TRUNCATE."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_reseller_at", "reseller_id", "at", "id"),
        Index("ix_audit_log_customer_at", "customer_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reseller_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    actor_user_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(20), nullable=False)
    direct_access: Mapped[bool] = mapped_column(Boolean, nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    details: Mapped[dict] = mapped_column(JSONB, nullable=False)


class ResetToken(Base):
    __tablename__ = "reset_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    purpose: Mapped[str] = mapped_column(String(20), nullable=False, server_default="reset")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The client network (IPv4 address or IPv6 /64) that asked: the recovery quota is per
    # account and network, so strangers cannot use up the owner's links.
    requested_from: Mapped[str | None] = mapped_column(String(64))


class SigninLimit(Base):
    """Sign-in attempts per key (an address, or an account from an address), shared by
    every accounts replica; see domain.signin_limits."""

    __tablename__ = "signin_limits"
    __table_args__ = (Index("ix_signin_limits_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    strikes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class TrialReminder(Base):
    """A free-trial reminder already recorded (its event is in the outbox, same
    transaction): the key makes each reminder of each trial go once, whatever the number of
    replicas and timer ticks. A new trial (a new end) gets its own reminders."""

    __tablename__ = "trial_reminders"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    reminder: Mapped[str] = mapped_column(String(10), primary_key=True)
    trial_ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SignupLink(Base):
    """A reseller's sign-up link (kind company or professional: its token is signed over
    its id, see domain.signup_links) or custom link (label + URL for the subscriber
    portal). Revoked links stay, so a revoked token is told apart from a forged one only
    in the logs."""

    __tablename__ = "signup_links"
    __table_args__ = (
        CheckConstraint("kind IN ('company', 'professional', 'custom')", name="kind"),
        Index("ix_signup_links_reseller", "reseller_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    plan_id: Mapped[str | None] = mapped_column(String(36))
    promotion_id: Mapped[str | None] = mapped_column(String(36))
    label: Mapped[str | None] = mapped_column(String(80))
    url: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Signup(Base):
    """A visitor's sign-up waiting for its e-mail to be verified: nothing else exists
    until then. Only the SHA-256 of the verification token is kept."""

    __tablename__ = "signups"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'completed')", name="state"),
        Index("ix_signups_expires", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"), nullable=False)
    link_id: Mapped[str] = mapped_column(ForeignKey("signup_links.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # name, contact_name, email, identifier, phone, country, language, plan_id,
    # promotion_id, numbers, hold_key: what the visitor chose, applied at verification
    details: Mapped[dict] = mapped_column(JSONB, nullable=False)
    terms_version: Mapped[str] = mapped_column(String(20), nullable=False)
    terms_accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                        nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    customer_id: Mapped[str | None] = mapped_column(String(36))


class UserImport(Base):
    """An import of a company's users from another system's export: received in chunks,
    previewed row by row, then applied in the background (domain.user_import_jobs)."""

    __tablename__ = "user_imports"
    __table_args__ = (
        CheckConstraint("status IN ('receiving', 'previewing', 'ready', 'applying', 'done', "
                        "'failed', 'expired')", name="status"),
        Index("ix_user_imports_reseller", "reseller_id", "created_at"),
        # the background worker looks for work by status
        Index("ix_user_imports_work", "status", postgresql_where=text(
            "status IN ('previewing', 'applying')")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(ForeignKey("resellers.id"), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    new_account_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    format: Mapped[str | None] = mapped_column(String(20))
    forced_format: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    bytes_total: Mapped[int | None] = mapped_column(BigInteger)
    bytes_read: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    chunks: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rows_read: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    preview_percent: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rows_applied: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    to_apply: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    # rows by outcome (preview) and by what applying them did
    counts: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    applied: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    # one worker at a time per import, across replicas: a lease it renews per batch
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
    fed_at: Mapped[datetime] = _now()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserImportChunk(Base):
    """The uploaded file, as received, until its preview is made (then deleted)."""

    __tablename__ = "user_import_chunks"

    import_id: Mapped[int] = mapped_column(ForeignKey("user_imports.id", ondelete="CASCADE"),
                                           primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class UserImportRow(Base):
    """One row of an import's file: what the preview found, and what applying it did."""

    __tablename__ = "user_import_rows"
    __table_args__ = (Index("ix_user_import_rows_outcome", "import_id", "outcome", "line"),)

    import_id: Mapped[int] = mapped_column(ForeignKey("user_imports.id", ondelete="CASCADE"),
                                           primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str] = mapped_column(String(254), nullable=False, server_default="")
    first_name: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    last_name: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    department: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    external_id: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    extension: Mapped[str | None] = mapped_column(String(6))
    phone: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    number: Mapped[str | None] = mapped_column(String(16))
    number_status: Mapped[str | None] = mapped_column(String(12))
    notes: Mapped[list] = mapped_column(JSONB, nullable=False, server_default="[]")
    applied: Mapped[str | None] = mapped_column(String(12))
    user_id: Mapped[str | None] = mapped_column(String(36))


outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
idempotency = idempotency_table(metadata)
