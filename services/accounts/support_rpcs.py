"""The accounts service's support RPCs (a part of ``AccountsService``): direct access to a
subscriber's account, locked settings, and the audit log that records both."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from nameko.timer import timer
from sqlalchemy.orm import Session

from sbcommon.actor import Actor
from sbcommon.consumer import handles
from sbcommon.contracts.accounts import AuditQuery, SupportAction
from sbcommon.contracts.events import SubscriptionChanged
from sbcommon.errors import Invalid
from sbcommon.rpc import rpc
from sbcommon.validation import parse

from .domain import audit, customers, support
from .models import Customer
from .settings import AccountsSettings

log = logging.getLogger(__name__)
SETTINGS = AccountsSettings()


def utcnow() -> datetime:
    return datetime.now(UTC)


class SupportRpcs:
    # -- direct access ----------------------------------------------------------------------
    @rpc
    def open_direct_access(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        """A session of the subscriber's main user for its reseller's user (or the
        administrator), for at most 30 minutes; the token is the caller's to use."""
        who = Actor.parse(actor)
        return self.once(who, lambda session: support.open_visit(
            session, who, customer_id, SETTINGS, utcnow()).to_contract())

    @rpc
    def end_direct_access(self, token: str) -> dict[str, Any]:
        return self.once(None, lambda session: support.end_visit(session, token, utcnow()))

    @rpc
    def record_support_action(self, actor: dict[str, Any], payload: dict[str, Any]
                              ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(SupportAction, payload)
        return self.once(who, lambda session: support.record_action(
            session, who, data, utcnow()))

    @timer(interval=SETTINGS.direct_access_sweep_seconds)
    def end_expired_direct_access(self) -> None:
        with self.db.begin() as session:
            ended = support.end_expired(session, utcnow(), SETTINGS)
        if ended:
            log.info("%d direct access visit(s) ended at their time limit", ended)

    # -- locks --------------------------------------------------------------------------
    @rpc
    def set_customer_lock(self, actor: dict[str, Any], customer_id: str, locked: bool
                          ) -> dict[str, Any]:
        who = Actor.parse(actor)
        if not isinstance(locked, bool):
            raise Invalid("locked is true or false", [{"field": "locked",
                                                       "message": "true or false"}])
        return self.once(who, lambda session: customers.set_lock(
            session, who, customer_id, locked, self.outbox, utcnow()))

    # -- the audit log --------------------------------------------------------------------
    @rpc
    def list_audit(self, actor: dict[str, Any], query: dict[str, Any] | None = None
                   ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(AuditQuery, query or {}, "query")
        with self.db() as session:
            return audit.search(session, who, data)

    @rpc
    def export_audit(self, actor: dict[str, Any], query: dict[str, Any] | None,
                     after: int | None = None) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(AuditQuery, {**(query or {}), "page": 1}, "query")
        if after is not None and (not isinstance(after, int) or isinstance(after, bool)):
            raise Invalid("after is an entry id")
        with self.db() as session:
            return audit.export_page(session, who, data, after)

    @rpc
    def support_visits(self, actor: dict[str, Any], customer_id: str) -> list[dict[str, Any]]:
        """When support entered the account, and who (the subscriber sees it)."""
        who = Actor.parse(actor)
        with self.db() as session:
            return audit.visits(session, customers.get_scoped(session, who, customer_id))

    # -- what catalogue tells us ----------------------------------------------------------
    @handles("catalogue", "subscription_changed", SubscriptionChanged)
    def on_subscription_changed(self, session: Session, event: SubscriptionChanged) -> None:
        """A subscription changed by the reseller (or the administrator) is audited; the
        subscriber's own changes are its own business."""
        if event.role == "customer":
            return
        customer = session.get(Customer, event.customer_id)
        if customer is None:
            return
        audit.record(session, "subscription.changed", utcnow(), actor=None,
                     customer=customer, actor_user_id=event.changed_by,
                     details={"version": event.version,
                              "items": ", ".join(f"{line.item_id}×{line.quantity}"
                                                 for line in event.lines)})
