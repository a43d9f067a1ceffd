"""Promotions: defined by the administrator, enabled per reseller, applied by a reseller to
a subscription when it starts (never to an existing subscriber)."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon.contracts.catalogue import PromotionCreate, PromotionEnable
from sbcommon.errors import Invalid, NotFound

from ..models import PromotionRow, ResellerPromotion
from . import money
from .items import get_item, get_reseller


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def promotion_dict(row: PromotionRow, enabled: bool | None = None) -> dict[str, Any]:
    return {"id": row.id, "name_fr": row.name_fr, "name_en": row.name_en,
            "percent": None if row.percent is None else money.format_rate(row.percent),
            "amount_off": row.amount_off, "currency": row.currency, "months": row.months,
            "kinds": row.kinds, "item_id": row.item_id, "enabled": enabled}


def create(session: Session, data: PromotionCreate, now: datetime) -> dict[str, Any]:
    percent = None
    if data.percent is not None:
        try:
            percent = money.parse_rate(data.percent)
        except ValueError as exc:
            raise Invalid(str(exc), [{"field": "percent", "message": str(exc)}]) from None
        if percent == 0:
            raise Invalid("a promotion takes something off",
                          [{"field": "percent", "message": "more than 0"}])
    if data.currency is not None:
        try:
            money.decimals(data.currency)
        except ValueError as exc:
            raise Invalid(str(exc), [{"field": "currency", "message": str(exc)}]) from None
    if data.item_id is not None:
        try:
            get_item(session, data.item_id)
        except NotFound:
            raise Invalid("no such catalogue item",
                          [{"field": "item_id", "message": "no such item"}]) from None
    row = PromotionRow(id=str(uuid.uuid4()), name_fr=data.name_fr, name_en=data.name_en,
                       kinds=sorted(set(data.kinds)), item_id=data.item_id, percent=percent,
                       amount_off=data.amount_off, currency=data.currency,
                       months=data.months, created_at=now)
    session.add(row)
    session.flush()
    return promotion_dict(row)


def get(session: Session, promotion_id: Any) -> PromotionRow:
    row = session.get(PromotionRow, promotion_id) if isinstance(promotion_id, str) \
        and len(promotion_id) <= 36 else None
    if row is None:
        raise NotFound("no such promotion")
    return row


def list_all(session: Session) -> dict[str, Any]:
    rows = session.scalars(select(PromotionRow).order_by(PromotionRow.created_at,
                                                         PromotionRow.id))
    return {"items": [promotion_dict(r) for r in rows]}


def list_enabled(session: Session, reseller_id: str) -> dict[str, Any]:
    rows = session.scalars(
        select(PromotionRow).join(ResellerPromotion,
                                  (ResellerPromotion.promotion_id == PromotionRow.id)
                                  & (ResellerPromotion.reseller_id == reseller_id))
        .where(ResellerPromotion.enabled.is_(True))
        .order_by(PromotionRow.created_at, PromotionRow.id))
    return {"items": [promotion_dict(r, True) for r in rows]}


def set_enabled(session: Session, reseller_id: str, promotion_id: str,
                data: PromotionEnable, now: datetime) -> dict[str, Any]:
    get_reseller(session, reseller_id)
    row = get(session, promotion_id)
    link = session.get(ResellerPromotion, (reseller_id, promotion_id), with_for_update=True)
    if link is None:
        link = ResellerPromotion(reseller_id=reseller_id, promotion_id=promotion_id)
        session.add(link)
    link.enabled, link.updated_at = data.enabled, now
    session.flush()
    return promotion_dict(row, data.enabled)


def enabled_for(session: Session, reseller_id: str, promotion_id: str) -> PromotionRow | None:
    link = session.get(ResellerPromotion, (reseller_id, promotion_id))
    return session.get(PromotionRow, promotion_id) if link and link.enabled else None
