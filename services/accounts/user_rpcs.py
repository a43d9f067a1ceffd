"""The accounts service's RPCs for the users of a customer account (a part of
``AccountsService``): list, read, create, change, delete, bulk upsert for imports, and
access codes per user. Scope and rights are the domain's (``domain.users``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sbcommon.actor import Actor
from sbcommon.contracts.accounts import AccountUserCreate, AccountUserQuery, AccountUserUpdate
from sbcommon.rpc import rpc
from sbcommon.validation import parse

from .domain import users
from .settings import AccountsSettings

SETTINGS = AccountsSettings()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UserRpcs:
    # Provided by AccountsService: db, once, outbox.
    db: Any
    once: Any
    outbox: Any

    @rpc
    def list_account_users(self, actor: dict[str, Any], customer_id: str,
                           query: dict[str, Any] | None = None) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(AccountUserQuery, query or {}, "query")
        with self.db() as session:
            return users.list_users(session, who, customer_id, data)

    @rpc
    def get_account_user(self, actor: dict[str, Any], customer_id: str, user_id: str
                         ) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return users.get(session, who, customer_id, user_id)

    @rpc
    def create_account_user(self, actor: dict[str, Any], customer_id: str,
                            payload: dict[str, Any], send_access_codes: bool = False
                            ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(AccountUserCreate, payload)
        return self.once(who, lambda session: users.create(
            session, who, customer_id, data, self.outbox, utcnow(), settings=SETTINGS,
            send_access_codes=bool(send_access_codes)))

    @rpc
    def update_account_user(self, actor: dict[str, Any], customer_id: str, user_id: str,
                            payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(AccountUserUpdate, payload)
        return self.once(who, lambda session: users.update(
            session, who, customer_id, user_id, data, self.outbox, utcnow()))

    @rpc
    def delete_account_user(self, actor: dict[str, Any], customer_id: str, user_id: str
                            ) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: users.delete(
            session, who, customer_id, user_id, self.outbox, utcnow()))

    @rpc
    def upsert_account_user(self, actor: dict[str, Any], customer_id: str,
                            payload: dict[str, Any]) -> dict[str, Any]:
        """Create the account's user with this e-mail or bring it up to date (imports)."""
        who = Actor.parse(actor)
        data = parse(AccountUserCreate, payload)
        return self.once(who, lambda session: users.upsert_by_email(
            session, who, customer_id, data, self.outbox, utcnow()))

    @rpc
    def issue_user_access_codes(self, actor: dict[str, Any], customer_id: str, user_id: str
                                ) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: users.issue_access_codes(
            session, who, customer_id, user_id, SETTINGS, self.outbox, utcnow()))
