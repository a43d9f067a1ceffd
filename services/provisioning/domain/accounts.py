"""The FTP (and HTTP) account of each customer: created on first need, readable by the
reseller (boot configuration page), rotatable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import ENDED_STATUSES
from sbcommon.errors import Conflict

from ..models import Customer, FtpAccount
from . import credentials, customers
from .credentials import SecretBox


def ensure_account(session: Session, customer: Customer, box: SecretBox, now: datetime
                   ) -> FtpAccount:
    account = session.get(FtpAccount, customer.id, with_for_update=True)
    if account is None:
        account = FtpAccount(customer_id=customer.id, username=credentials.ftp_username(),
                             password_encrypted=box.encrypt(credentials.ftp_password()),
                             created_at=now)
        session.add(account)
        session.flush()
    return account


def _info(account: FtpAccount, box: SecretBox, ftp_url: str, http_url: str) -> dict[str, Any]:
    return {"ftp_url": ftp_url, "username": account.username,
            "password": box.decrypt(account.password_encrypted), "http_url": http_url,
            "rotated_at": account.rotated_at.isoformat() if account.rotated_at else None}


def _scoped_for_reseller(session: Session, actor: Actor, customer_id: str) -> Customer:
    # Scope first (another tenant's customer is "not found"), then the role: the boot
    # configuration is the reseller's business, not the subscriber's.
    customer = customers.get_scoped(session, actor, customer_id)
    actor.require(Role.RESELLER, Role.ADMIN)
    return customer


def get_info(session: Session, actor: Actor, customer_id: str, box: SecretBox,
             urls: tuple[str, str], now: datetime
             ) -> dict[str, Any]:
    customer = _scoped_for_reseller(session, actor, customer_id)
    return _info(ensure_account(session, customer, box, now), box, *urls)


def rotate(session: Session, actor: Actor, customer_id: str, box: SecretBox,
           urls: tuple[str, str], now: datetime
           ) -> dict[str, Any]:
    customer = _scoped_for_reseller(session, actor, customer_id)
    if customer.status in ENDED_STATUSES:
        raise Conflict(f"this customer account is {customer.status}: "
                       "its FTP account no longer works")
    account = ensure_account(session, customer, box, now)
    account.password_encrypted = box.encrypt(credentials.ftp_password())
    account.rotated_at = now
    return _info(account, box, *urls)
