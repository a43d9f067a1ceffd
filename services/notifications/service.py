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

from nameko.events import event_handler
from nameko.rpc import rpc

from sbcommon.actor import Actor, Role
from sbcommon.contracts.notifications import (
    BrandingUpdate,
    ExportQuery,
    MailLogQuery,
    MessageRequest,
)
from sbcommon.contracts.rpc import AccountsRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.errors import Invalid, NotFound
from sbcommon.outbox import first_delivery
from sbcommon.validation import parse

from .domain import brand, compose, csvsafe, documents, mailstore
from .domain.messages import check_language
from .models import processed_events
from .sender import MailSender, PdfRenderer
from .settings import NotificationsSettings

log = logging.getLogger(__name__)

SETTINGS = NotificationsSettings()


def utcnow() -> datetime:
    return datetime.now(UTC)


def _scoped(actor: Actor, customer: dict[str, Any]) -> dict[str, Any]:
    """accounts already scoped the read; a second check here keeps this service's own
    promise (a reseller never mails another reseller's customer) whatever answered."""
    if actor.role == Role.RESELLER and customer.get("reseller_id") != actor.reseller_id:
        raise NotFound("no such customer")
    return customer


class NotificationsService:
    name = "notifications"

    db = Database("notifications")
    accounts: AccountsRpc = rpc_proxy("accounts")
    mail_sender = MailSender(SETTINGS)
    pdf = PdfRenderer(SETTINGS.pdf_workers)

    # -- health -------------------------------------------------------------------------
    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db, pid=os.getpid(), pdf_workers=self.pdf.pids())

    # -- mail a customer ------------------------------------------------------------------
    def _customer_for_mail(self, who: Actor, customer_id: str) -> dict[str, Any]:
        customer = _scoped(who, self.accounts.get_customer(who.dump(), customer_id))
        who.require(Role.RESELLER, Role.ADMIN)
        return customer

    def _queue(self, customer: dict[str, Any], kind: str,
               render: Callable[[brand.Brand], compose.Rendered]) -> dict[str, Any]:
        recipient = compose.recipient_of(customer)
        with self.db.begin() as session:
            look = brand.load(session, customer["reseller_id"])
            mail = compose.queue(session, render(look),
                                 kind=kind, recipient=recipient, language=customer["language"],
                                 brand=look, sender=SETTINGS.sender,
                                 reseller_id=customer["reseller_id"],
                                 customer_id=customer["id"], now=utcnow())
            entry = mailstore.to_log_entry(mail)
        self.mail_sender()
        return entry

    @rpc
    def send_message(self, actor: dict[str, Any], customer_id: str,
                     payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(MessageRequest, payload)
        customer = self._customer_for_mail(who, customer_id)
        return self._queue(customer, "message", lambda look: compose.custom_message(
            customer, look, data.subject, data.body))

    @rpc
    def send_statement(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        customer = self._customer_for_mail(who, customer_id)
        compose.recipient_of(customer)  # refuse before the costly render
        now = utcnow()
        with self.db() as session:
            look = brand.load(session, customer["reseller_id"])
        html = documents.statement_html(look, customer, [], customer["language"], now)
        pdf = self.pdf.render(html)
        return self._queue(customer, "statement",
                           lambda look: compose.statement(customer, look, pdf, now))

    # -- events from accounts ---------------------------------------------------------------
    @event_handler("accounts", "password_reset_requested")
    def on_password_reset_requested(self, event: dict[str, Any]) -> None:
        """The "Forgot?" mail and the access codes: the token is in the event, never in a log."""
        with self.db.begin() as session:
            if not first_delivery(session, processed_events, event["event_id"], self.name):
                return
            look = brand.load(session, event.get("reseller_id"))
            rendered = compose.reset_link(event, look, SETTINGS.portal_url)
            kind = "access_codes" if event.get("purpose") == "access_codes" else "reset"
            compose.queue(session, rendered, kind=kind, recipient=event["email"],
                          language=compose.event_language(event.get("language")), brand=look,
                          sender=SETTINGS.sender, reseller_id=event.get("reseller_id"),
                          customer_id=event.get("customer_id"), now=utcnow())
        self.mail_sender()

    @event_handler("accounts", "reseller_created")
    def on_reseller_created(self, event: dict[str, Any]) -> None:
        with self.db.begin() as session:
            if first_delivery(session, processed_events, event["event_id"], self.name):
                brand.remember_reseller(session, event["reseller_id"], event["name"],
                                        event["email"], utcnow())

    @event_handler("accounts", "customer_created")
    def on_customer_created(self, event: dict[str, Any]) -> None:
        with self.db.begin() as session:
            if not first_delivery(session, processed_events, event["event_id"], self.name):
                return
            look = brand.load(session, event["reseller_id"])
            compose.queue(session, compose.welcome(event, look), kind="welcome",
                          recipient=event["email"],
                          language=compose.event_language(event.get("language")), brand=look,
                          sender=SETTINGS.sender, reseller_id=event["reseller_id"],
                          customer_id=event["customer_id"], now=utcnow())
        self.mail_sender()

    # -- delivery log -------------------------------------------------------------------
    @rpc
    def list_mail(self, actor: dict[str, Any], query: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(MailLogQuery, query or {}, "query")
        with self.db() as session:
            return mailstore.list_log(session, who, data.status, data.customer_id, data.page,
                                      data.per_page)

    # -- branding (the defaults until the branding issue) -------------------------------------
    @rpc
    def get_branding(self, actor: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return brand.load(session, who.reseller_id).dump()

    @rpc
    def set_branding(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.RESELLER)
        data = parse(BrandingUpdate, payload)
        with self.db.begin() as session:
            assert who.reseller_id is not None
            return brand.save(session, who.reseller_id, data.model_dump(exclude_unset=True),
                              utcnow()).dump()

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
        return {"csv": text, "next": page + 1 if page < result["pages"] else None,
                "page": page, "pages": result["pages"], "total": result["total"]}

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
            look = brand.load(session, who.reseller_id)
        html = documents.customer_list_html(look, rows, first["total"],
                                            data.customer_query(), language, utcnow())
        pdf = self.pdf.render(html)
        return {"pdf": base64.b64encode(pdf).decode("ascii"), "total": first["total"]}
