"""Creating, listing and deleting rules, and the reseller's default action."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon.contracts.routing_policy import RuleCreate
from sbcommon.errors import Conflict, NotFound

from ..models import ResellerPolicy, RuleRow
from .numbers import rule_value
from .policy import SPECIFICITY

RULES_CHANGED = "rules_changed"


class EventSink(Protocol):
    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> Any: ...


def to_contract(row: RuleRow) -> dict[str, Any]:
    return {
        "id": row.id, "level": "customer" if row.customer_id else "reseller",
        "reseller_id": row.reseller_id, "customer_id": row.customer_id,
        "action": row.action, "match": row.match, "value": row.value, "note": row.note,
        "created_at": row.created_at.isoformat(),
    }


def _scope(reseller_id: str, customer_id: str | None) -> Any:
    return (RuleRow.reseller_id == reseller_id) & (
        RuleRow.customer_id.is_(None) if customer_id is None
        else RuleRow.customer_id == customer_id)


def default_action(session: Session, reseller_id: str) -> str:
    policy = session.get(ResellerPolicy, reseller_id)
    return policy.default_action if policy else "allow"


def unavailable_action(session: Session, reseller_id: str) -> str:
    policy = session.get(ResellerPolicy, reseller_id)
    return policy.unavailable_action if policy else "deny"


def list_rules(session: Session, reseller_id: str, customer_id: str | None
               ) -> dict[str, Any]:
    rows = session.scalars(select(RuleRow).where(_scope(reseller_id, customer_id))).all()
    # Most specific first, the order in which they are consulted.
    rows = sorted(rows, key=lambda r: (SPECIFICITY.index(r.match), -len(r.value), r.value))
    return {"default": default_action(session, reseller_id),
            "when_unavailable": unavailable_action(session, reseller_id),
            "rules": [to_contract(r) for r in rows]}


def create(session: Session, events: EventSink, reseller_id: str, customer_id: str | None,
           data: RuleCreate, author: str, now: datetime) -> dict[str, Any]:
    value = rule_value(data.match, data.value)
    existing = session.scalars(select(RuleRow).where(
        _scope(reseller_id, customer_id), RuleRow.match == data.match,
        RuleRow.value == value)).first()
    if existing is not None:
        word = "the same" if existing.action == data.action else "a conflicting"
        raise Conflict(f"{word} rule already exists for {data.match} {value} "
                       f"({existing.action}); delete it first",
                       [{"field": "value", "message": "already has a rule",
                         "rule_id": existing.id}])
    row = RuleRow(id=str(uuid.uuid4()), reseller_id=reseller_id, customer_id=customer_id,
                  action=data.action, match=data.match, value=value, note=data.note,
                  created_by=author, created_at=now)
    session.add(row)
    session.flush()  # a concurrent duplicate fails here on the unique index (→ 409)
    _changed(session, events, reseller_id, customer_id, "created", row.id)
    return to_contract(row)


def delete(session: Session, events: EventSink, reseller_id: str, customer_id: str | None,
           rule_id: str) -> None:
    row = session.get(RuleRow, rule_id) if len(rule_id) <= 36 else None
    if row is None or row.reseller_id != reseller_id or row.customer_id != customer_id:
        raise NotFound("no such rule at this level")
    session.delete(row)
    _changed(session, events, reseller_id, customer_id, "deleted", rule_id)


def set_default(session: Session, events: EventSink, reseller_id: str, action: str,
                now: datetime, when_unavailable: str | None = None) -> dict[str, Any]:
    policy = session.get(ResellerPolicy, reseller_id)
    if policy is None:
        policy = ResellerPolicy(reseller_id=reseller_id, default_action=action,
                                unavailable_action=when_unavailable or "deny", updated_at=now)
        session.add(policy)
    else:
        policy.default_action, policy.updated_at = action, now
        if when_unavailable is not None:
            policy.unavailable_action = when_unavailable
    _changed(session, events, reseller_id, None, "default_changed", None)
    return {"default": action, "when_unavailable": policy.unavailable_action}


def _changed(session: Session, events: EventSink, reseller_id: str, customer_id: str | None,
             change: str, rule_id: str | None) -> None:
    events.record(session, RULES_CHANGED, {"reseller_id": reseller_id,
                                           "customer_id": customer_id, "change": change,
                                           "rule_id": rule_id})

