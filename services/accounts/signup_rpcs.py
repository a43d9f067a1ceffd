"""The accounts service's sign-up RPCs (a part of ``AccountsService``): a reseller's
sign-up and custom links, and the public sign-up (start, verification page, completion)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sbcommon import keys
from sbcommon.actor import Actor
from sbcommon.contracts.signup import SignupComplete, SignupLinkCreate, SignupStart
from sbcommon.rpc import rpc
from sbcommon.validation import parse

from .domain import signup_links, signups
from .settings import AccountsSettings

SETTINGS = AccountsSettings()


def utcnow() -> datetime:
    return datetime.now(UTC)


class SignupRpcs:
    """Mixed into AccountsService, which provides ``db``, ``outbox``, ``once`` and
    ``hash_password``."""

    db: Any
    outbox: Any
    once: Any

    def hash_password(self, password: str) -> str:  # provided by AccountsService
        raise NotImplementedError

    # -- the reseller's links ------------------------------------------------------------
    @rpc
    def list_signup_links(self, actor: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return signup_links.listing(session, who, SETTINGS.public_url, keys.ring())

    @rpc
    def create_signup_link(self, actor: dict[str, Any], payload: dict[str, Any]
                           ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(SignupLinkCreate, payload)
        return self.once(who, lambda session: signup_links.create(
            session, who, data, SETTINGS.public_url, keys.ring(), utcnow()))

    @rpc
    def revoke_signup_link(self, actor: dict[str, Any], link_id: str) -> None:
        who = Actor.parse(actor)
        self.once(who, lambda session: signup_links.revoke(session, who, link_id, utcnow()))

    @rpc
    def custom_links(self, actor: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return signup_links.custom_links(session, who)

    # -- the public sign-up (no actor: a visitor) -------------------------------------------
    @rpc
    def resolve_signup_link(self, token: str) -> dict[str, Any]:
        with self.db() as session:
            link, reseller = signup_links.resolve(session, token, keys.ring())
            return signup_links.public_view(link, reseller)

    @rpc
    def start_signup(self, payload: dict[str, Any], client_ip: str | None = None
                     ) -> dict[str, Any]:
        data = parse(SignupStart, payload)
        outcome = self.once(None, lambda session: signups.start(
            session, data, SETTINGS, keys.ring(), self.outbox, client_ip, utcnow()))
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    @rpc
    def signup_status(self, token: str) -> dict[str, Any]:
        with self.db() as session:
            return signups.status(session, token, SETTINGS, utcnow())

    @rpc
    def complete_signup(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = parse(SignupComplete, payload)
        with self.db() as session:  # a dead link costs no hash
            refused = signups.refusal(signups.status(session, data.token, SETTINGS,
                                                     utcnow())["state"])
        if refused is not None:
            raise refused
        return self.once(None, lambda session, hashed: signups.complete(
            session, data.token, hashed, SETTINGS, self.outbox, utcnow()),
            prepare=lambda: self.hash_password(data.password))
