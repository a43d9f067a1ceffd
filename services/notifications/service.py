"""Notifications service: e-mail (outbox + delivery log), statements and customer exports.

Thin nameko entrypoints over ``domain``: each validates its input, asks accounts what it
needs (accounts enforces the actor's scope; this service checks it again), and commits
before returning. Mail is stored first and delivered by the ``MailSender`` loop.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import eventlet
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.consumer import handles
from sbcommon.contracts.events import (
    CustomerCreated,
    CustomerStatusChanged,
    CustomerTrialEnding,
    PasswordResetRequested,
    ResellerCreated,
    ResellerUpdated,
    SignupVerificationRequested,
)
from sbcommon.contracts.notifications import (
    ExportQuery,
    MailLogQuery,
    MailTemplateSource,
    MessageRequest,
)
from sbcommon.contracts.rpc import AccountsRpc, CatalogueRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.errors import Invalid, NotFound, Unavailable
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency
from sbcommon.rpc import rpc
from sbcommon.telemetry import Telemetry
from sbcommon.validation import parse

from .domain import brand, compose, csvsafe, documents, mailstore, templates
from .domain.messages import check_language
from .models import idempotency
from .sender import MailSender, PdfRenderer
from .settings import NotificationsSettings

log = logging.getLogger(__name__)

SETTINGS = NotificationsSettings()


# What a mail needs before its transaction: the customer, and how to render it.
Prepared = tuple[dict[str, Any],
                 Callable[[brand.Brand, templates.Source | None], compose.Rendered]]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _scoped(actor: Actor, customer: dict[str, Any]) -> dict[str, Any]:
    """accounts already scoped the read; a second check here keeps this service's own
    promise (a reseller never mails another reseller's customer) whatever answered."""
    if not actor.sees(customer.get("reseller_id"), customer.get("id")):
        raise NotFound("no such customer")
    return customer


class NotificationsService:
    name = "notifications"

    db = Database("notifications")
    telemetry = Telemetry()
    housekeeping = Housekeeping()
    accounts: AccountsRpc = rpc_proxy("accounts")
    catalogue: CatalogueRpc = rpc_proxy("catalogue")
    mail_sender = MailSender(SETTINGS)
    pdf = PdfRenderer(SETTINGS.pdf_workers)
    once = Idempotency(idempotency)

    # -- health -------------------------------------------------------------------------
    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db, pid=os.getpid(), pdf_workers=self.pdf.pids())

    # -- mail a customer ------------------------------------------------------------------
    def _customer_for_mail(self, who: Actor, customer_id: str) -> dict[str, Any]:
        customer = _scoped(who, self.accounts.get_customer(who.dump(), customer_id))
        who.require(Role.RESELLER, Role.ADMIN)
        return customer

    def _queue(self, who: Actor, kind: str, prepare: Callable[[], Prepared]) -> dict[str, Any]:
        """Queue one mail per idempotency key: the mail row and the stored answer commit
        together, so a repeated request never mails twice. ``prepare`` (asking accounts,
        rendering a PDF) runs outside the transaction, and not at all for a repeat."""
        def queue(session: Any, prepared: Prepared) -> dict[str, Any]:
            customer, render = prepared
            recipient = compose.recipient_of(customer)
            look = self._look(session, customer["reseller_id"])
            edited = compose.edited_template(session, customer["reseller_id"], kind,
                                             customer["language"])
            mail = compose.queue(session, render(look, edited),
                                 kind=kind, recipient=recipient, language=customer["language"],
                                 brand=look, sender=SETTINGS.sender,
                                 reseller_id=customer["reseller_id"],
                                 customer_id=customer["id"], now=utcnow())
            return mailstore.to_log_entry(mail)
        entry = self.once(who, queue, prepare)
        self.mail_sender()
        return entry

    @rpc
    def send_message(self, actor: dict[str, Any], customer_id: str,
                     payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(MessageRequest, payload)

        def prepare() -> Prepared:
            customer = self._customer_for_mail(who, customer_id)
            return customer, lambda look, _edited: compose.custom_message(
                customer, look, data.subject, data.body)
        return self._queue(who, "message", prepare)

    @rpc
    def send_statement(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)

        def prepare() -> Prepared:
            customer = self._customer_for_mail(who, customer_id)
            compose.recipient_of(customer)  # refuse before the costly render
            now = utcnow()
            with self.db() as session:
                look = self._look(session, customer["reseller_id"])
            priced = self._priced(who, customer)
            html = documents.statement_html(look, customer, priced, customer["language"], now)
            pdf = self.pdf.render(html)
            return customer, lambda look, edited: compose.statement(customer, look, pdf, now,
                                                                    priced, edited)
        return self._queue(who, "statement", prepare)

    def _priced(self, who: Actor, customer: dict[str, Any]) -> dict[str, Any]:
        """The subscription priced by catalogue at render time: the statement shows the
        subscription as it is when it is asked for, priced by the one service that owns
        prices, promotions and taxes (no copy of them here to drift). catalogue checks the
        actor's scope again; a silent catalogue is a 503 and nothing is queued."""
        trial = customer.get("trial_ends_at") if customer.get("status") == "trial" else None
        try:
            with eventlet.Timeout(SETTINGS.catalogue_timeout_seconds):
                return self.catalogue.statement(who.dump(), customer["id"], None,
                                                str(trial)[:10] if trial else None)
        except eventlet.Timeout:
            raise Unavailable("the catalogue service did not answer; try again shortly",
                              {"retry_after": 5}) from None

    # -- events from accounts ---------------------------------------------------------------
    @handles("accounts", "password_reset_requested", PasswordResetRequested)
    def on_password_reset_requested(self, session: Session, event: PasswordResetRequested
                                    ) -> None:
        """Forgotten password and access codes: the token is in the event, never in a log.

        A customer's user gets mail in its reseller's brand; a reseller's own staff (no
        customer) get the platform's: they are the platform's customers."""
        kind = "access_codes" if event.purpose == "access_codes" else "reset"
        branded = event.reseller_id if event.customer_id else None
        look = self._look(session, branded)
        rendered = compose.reset_link(
            event.model_dump(), look, SETTINGS.portal_url,
            compose.edited_template(session, branded, kind,
                                    compose.event_language(event.language)))
        compose.queue(session, rendered, kind=kind, recipient=event.email,
                      language=compose.event_language(event.language), brand=look,
                      sender=SETTINGS.sender, reseller_id=event.reseller_id,
                      customer_id=event.customer_id, now=utcnow())
        self.mail_sender()  # delivers once this handler's transaction has committed

    @handles("accounts", "signup_verification_requested", SignupVerificationRequested)
    def on_signup_verification_requested(self, session: Session,
                                         event: SignupVerificationRequested) -> None:
        """In the reseller's brand; the link is in the event, never in a log."""
        look = self._look(session, event.reseller_id)
        kind, rendered = compose.signup_mail(event.model_dump(), look)
        compose.queue(session, rendered, kind=kind, recipient=event.email,
                      language=compose.event_language(event.language), brand=look,
                      sender=SETTINGS.sender, reseller_id=event.reseller_id, customer_id=None,
                      now=utcnow())
        self.mail_sender()

    @handles("accounts", "reseller_created", ResellerCreated)
    def on_reseller_created(self, session: Session, event: ResellerCreated) -> None:
        brand.remember_reseller(session, event.reseller_id, event.name, event.email, utcnow())

    @handles("accounts", "reseller_updated", ResellerUpdated)
    def on_reseller_updated(self, session: Session, event: ResellerUpdated) -> None:
        brand.apply_update(session, event, utcnow())

    @handles("accounts", "customer_created", CustomerCreated)
    def on_customer_created(self, session: Session, event: CustomerCreated) -> None:
        if event.origin == "signup":  # its verification mail and page said it all
            return
        look = self._look(session, event.reseller_id)
        edited = compose.edited_template(session, event.reseller_id, "welcome",
                                         compose.event_language(event.language))
        compose.queue(session, compose.welcome(event.model_dump(), look, edited),
                      kind="welcome",
                      recipient=event.email, language=compose.event_language(event.language),
                      brand=look, sender=SETTINGS.sender, reseller_id=event.reseller_id,
                      customer_id=event.customer_id, now=utcnow())
        self.mail_sender()  # delivers once this handler's transaction has committed

    @handles("accounts", "customer_status_changed", CustomerStatusChanged)
    def on_customer_status_changed(self, session: Session, event: CustomerStatusChanged
                                   ) -> None:
        """An archived account's addresses leave the mail log too (accounts removed its
        personal data after the retention period)."""
        if event.status == "archived":
            mailstore.forget_customer(session, event.customer_id)

    @handles("accounts", "customer_trial_ending", CustomerTrialEnding)
    def on_customer_trial_ending(self, session: Session, event: CustomerTrialEnding) -> None:
        """accounts records each reminder once (its timer's pass); this sends it."""
        data = event.model_dump()
        kind = compose.trial_reminder_kind(data)
        language = compose.event_language(event.language)
        look = self._look(session, event.reseller_id)
        edited = compose.edited_template(session, event.reseller_id, kind, language)
        compose.queue(session, compose.trial_reminder(data, look, edited), kind=kind,
                      recipient=event.email, language=language, brand=look,
                      sender=SETTINGS.sender, reseller_id=event.reseller_id,
                      customer_id=event.customer_id, now=utcnow())
        self.mail_sender()  # delivers once this handler's transaction has committed

    # -- delivery log -------------------------------------------------------------------
    @rpc
    def list_mail(self, actor: dict[str, Any], query: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(MailLogQuery, query or {}, "query")
        with self.db() as session:
            return mailstore.list_log(session, who, data.status, data.customer_id, data.page,
                                      data.per_page)

    # -- branding (a copy of accounts', for mail and PDFs) ----------------------------------
    def _look(self, session: Session, reseller_id: str | None) -> brand.Brand:
        return brand.load(session, reseller_id, SETTINGS.portal_url)

    @rpc
    def get_branding(self, actor: dict[str, Any]) -> dict[str, Any]:
        """The brand this service signs the actor's mail with (its copy of accounts')."""
        who = Actor.parse(actor)
        with self.db() as session:
            return self._look(session, who.reseller_id).dump()

    # -- editable mail templates -------------------------------------------------------------
    @rpc
    def list_templates(self, actor: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return templates.listing(session, who)

    @rpc
    def get_template(self, actor: dict[str, Any], kind: str, language: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return templates.describe(session, who, kind, language)

    @rpc
    def save_template(self, actor: dict[str, Any], kind: str, language: str,
                      payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(MailTemplateSource, payload)
        source = templates.Source(data.subject, data.html, data.text)
        return self.once(who, lambda session: templates.save(
            session, who, kind, language, source, utcnow()))

    @rpc
    def reset_template(self, actor: dict[str, Any], kind: str, language: str
                       ) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: templates.reset(session, who, kind, language))

    @rpc
    def preview_template(self, actor: dict[str, Any], kind: str, language: str,
                         payload: dict[str, Any]) -> dict[str, Any]:
        """The template as a mail would show it, with sample data, in the caller's brand."""
        who = Actor.parse(actor)
        templates.scope_of(who)
        data = parse(MailTemplateSource, payload)
        with self.db() as session:
            look = self._look(session, who.reseller_id)
        return templates.preview(kind, language,
                                 templates.Source(data.subject, data.html, data.text),
                                 look.for_templates())

    # -- exports ----------------------------------------------------------------------
    def _customers_page(self, who: Actor, query: ExportQuery, page: int) -> dict[str, Any]:
        """Page ``page`` of the export: a chunk of 1 000 customers from accounts, with the
        total and the number of pages on page 1 only (counting once is enough)."""
        who.require(Role.RESELLER, Role.ADMIN)
        chunk = self.accounts.export_customers(
            who.dump(), {k: v for k, v in query.customer_query().items() if v is not None},
            page)
        return {"items": chunk["items"], "total": chunk.get("total"),
                "pages": chunk.get("chunks")}

    @rpc
    def export_csv_page(self, actor: dict[str, Any], query: dict[str, Any], page: int,
                        language: str) -> dict[str, Any]:
        """One page of the CSV (sbcommon.contracts.exports.CsvPage: the caller streams
        pages while ``next`` is set; the header comes with page 1)."""
        who = Actor.parse(actor)
        data = parse(ExportQuery, query, "query")
        check_language(language)
        if not isinstance(page, int) or page < 1:
            raise Invalid("page must be a positive integer")
        result = self._customers_page(who, data, page)
        text = csvsafe.rows(result["items"], language)
        if page == 1:
            text = csvsafe.header(language) + text
        # accounts counts the pages with the first chunk only: after it, a chunk that came
        # back empty is the end (comparing with the unknown count broke every export of
        # more than one chunk after its first 1 000 rows)
        pages = result["pages"]
        more = page < pages if pages is not None else bool(result["items"])
        return {"csv": text, "next": page + 1 if more else None,
                "page": page, "pages": pages, "total": result["total"]}

    @rpc
    def export_pdf(self, actor: dict[str, Any], query: dict[str, Any], language: str
                   ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(ExportQuery, query, "query")
        check_language(language)
        first = self._customers_page(who, data, 1)
        if first["total"] > documents.MAX_PDF_ROWS:
            raise Invalid(f"{first['total']} accounts match; a PDF lists at most "
                          f"{documents.MAX_PDF_ROWS}: narrow the filters or export CSV",
                          [{"field": "query", "message": "too many rows for a PDF"}])
        rows = list(first["items"])
        for page in range(2, first["pages"] + 1):
            rows += self._customers_page(who, data, page)["items"]
        with self.db() as session:
            look = self._look(session, who.reseller_id)
        html = documents.customer_list_html(look, rows, first["total"],
                                            data.customer_query(), language, utcnow())
        pdf = self.pdf.render(html)
        return {"pdf": base64.b64encode(pdf).decode("ascii"), "total": first["total"]}
