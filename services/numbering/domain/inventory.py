"""The number inventory: its state machine, assignment, orders, release and search.

States: available → (reserved →) assigned → aging → available. A released number rests in
``aging`` for the reseller's aging period (none by default) before it can be sold again.
Every change writes a history row; assignments and releases emit events through the
outbox so other services (call restrictions, phones) learn who holds which number.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import ENDED_STATUSES
from sbcommon.contracts.exports import CsvPage
from sbcommon.contracts.numbering import NumberPage, NumberQuery, PhoneNumber
from sbcommon.errors import Conflict, Forbidden, Invalid, NotFound
from sbcommon.locks import check_unlocked

from ..models import KnownCustomer, KnownUser, Number, NumberHistory, NumberHold, PoolSettings
from .parse import NumberError, parse_number, region_for

TRANSITIONS = {
    "available": {"reserved", "assigned"},
    "reserved": {"assigned", "available"},
    "assigned": {"aging", "available"},
    "aging": {"available"},
}


class EventSink(Protocol):
    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> Any: ...


def to_contract(number: Number) -> dict[str, Any]:
    return PhoneNumber(
        number=number.e164, state=number.state, country=number.country,
        area_code=number.area_code, number_type=number.number_type,
        region=region_for(number.e164),
        customer_id=number.customer_id, user_id=number.user_id, available_at=number.available_at,
        created_at=number.created_at, updated_at=number.updated_at,
    ).model_dump(mode="json")


def available_now(now: datetime) -> ColumnElement[bool]:
    """Available, or aging whose rest is over (the timer flips those lazily)."""
    return or_(Number.state == "available",
               and_(Number.state == "aging", Number.available_at <= now))


def not_held(now: datetime, except_key: str | None = None) -> ColumnElement[bool]:
    """No live hold by a sign-up (other than ``except_key``'s) keeps the number."""
    live = select(NumberHold.e164).where(NumberHold.e164 == Number.e164,
                                         NumberHold.expires_at > now)
    if except_key is not None:
        live = live.where(NumberHold.hold_key != except_key)
    return ~live.exists()


def scope(stmt: Select, actor: Actor) -> Select:
    stmt = actor.restrict(stmt, Number.reseller_id, Number.customer_id)
    if actor.is_plain_user:  # a plain user of an account sees the numbers it holds
        stmt = stmt.where(Number.user_id == actor.user_id)
    return stmt


def _move(session: Session, number: Number, state: str, customer_id: str | None,
          action: str, actor: Actor | None, now: datetime) -> None:
    current = number.state
    if current == "aging" and number.available_at and number.available_at <= now:
        current = "available"
    if state not in TRANSITIONS[current]:
        raise Conflict(f"{number.e164} is {number.state}; it cannot become {state}",
                       [{"field": "numbers", "number": number.e164, "state": number.state}])
    number.state = state
    if customer_id != number.customer_id or state not in ("assigned", "reserved"):
        number.user_id = None  # a user holds a number only while its account does
    number.customer_id = customer_id
    number.available_at = None
    number.updated_at = now
    number.version += 1
    _history(session, number, action, actor, now)


def _history(session: Session, number: Number, action: str, actor: Actor | None,
             now: datetime) -> None:
    session.add(NumberHistory(e164=number.e164, reseller_id=number.reseller_id, action=action,
                              state=number.state, customer_id=number.customer_id,
                              actor_user_id=actor.user_id if actor else None, at=now))


def _event(number: Number, customer_id: str, **extra: Any) -> dict[str, Any]:
    return {"reseller_id": number.reseller_id, "customer_id": customer_id,
            "number": number.e164, "country": number.country, "version": number.version,
            **extra}


def _assigned_event(number: Number, customer_id: str) -> dict[str, Any]:
    return _event(number, customer_id, user_id=number.user_id)


# -- pool ---------------------------------------------------------------------------------
def add_number(session: Session, actor: Actor, text: str, now: datetime) -> dict[str, Any]:
    actor.require(Role.RESELLER)
    try:
        parsed = parse_number(text)
    except NumberError as exc:
        raise Invalid(f"number: {exc}", [{"field": "number", "message": str(exc),
                                          "reason": exc.code}]) from None
    existing = session.get(Number, parsed.e164)
    if existing is not None:
        whose = "your pool" if existing.reseller_id == actor.reseller_id else "a pool"
        raise Conflict(f"{parsed.e164} is already in {whose}",
                       [{"field": "number", "message": f"already in {whose}"}])
    number = Number(e164=parsed.e164, reseller_id=actor.reseller_id, state="available",
                    country=parsed.country, area_code=parsed.area_code,
                    number_type=parsed.number_type,
                    created_at=now, updated_at=now)
    session.add(number)
    session.flush()
    _history(session, number, "added", actor, now)
    return to_contract(number)


def aging_days(session: Session, reseller_id: str) -> int:
    settings = session.get(PoolSettings, reseller_id)
    return settings.aging_days if settings else 0


def set_aging_days(session: Session, actor: Actor, days: int) -> dict[str, int]:
    actor.require(Role.RESELLER)
    settings = session.get(PoolSettings, actor.reseller_id)
    if settings is None:
        session.add(PoolSettings(reseller_id=actor.reseller_id, aging_days=days))
    else:
        settings.aging_days = days
    return {"aging_days": days}


def promote_aged(session: Session, now: datetime) -> int:
    """Aging numbers whose rest is over become available (called by a timer)."""
    result = session.execute(
        update(Number).where(Number.state == "aging", Number.available_at <= now)
        .values(state="available", available_at=None, updated_at=now)
        .returning(Number.e164, Number.reseller_id)
    ).all()
    if result:
        session.execute(insert(NumberHistory), [
            {"e164": e, "reseller_id": r, "action": "aged", "state": "available", "at": now}
            for e, r in result])
    return len(result)


# -- customers ----------------------------------------------------------------------------
def customer_for(session: Session, actor: Actor, customer_id: str) -> KnownCustomer:
    """The customer if ``actor`` may act on its numbers; NotFound otherwise."""
    return replica.scoped(session, KnownCustomer, actor, customer_id)


def customer_to_change(session: Session, actor: Actor, customer_id: str) -> KnownCustomer:
    """The customer whose numbers ``actor`` is about to change: in scope, and not locked
    against the subscriber itself (its reseller locked its settings)."""
    customer = customer_for(session, actor, customer_id)
    check_unlocked(actor, customer.locked)
    return customer


def _open(customer: KnownCustomer) -> None:
    if customer.status in ENDED_STATUSES:
        raise Conflict(f"this account is {customer.status}; it cannot receive numbers")


def _parse_all(texts: Iterable[str]) -> list[str]:
    wanted, errors = [], []
    for text in texts:
        try:
            wanted.append(parse_number(text).e164)
        except NumberError as exc:
            errors.append({"field": "numbers", "number": text[:64], "message": str(exc)})
    if errors:
        raise Invalid("some numbers are not valid", errors)
    return list(dict.fromkeys(wanted))


def assign(session: Session, actor: Actor, customer: KnownCustomer, texts: list[str],
           reserve: bool, events: EventSink, now: datetime) -> list[dict[str, Any]]:
    """Assign (or reserve) given numbers of the reseller's pool to one of its customers."""
    actor.require(Role.RESELLER)
    _open(customer)
    wanted = _parse_all(texts)
    rows = {n.e164: n for n in session.scalars(
        select(Number).where(Number.e164.in_(wanted), Number.reseller_id == actor.reseller_id)
        .with_for_update())}
    missing = [e for e in wanted if e not in rows]
    if missing:
        raise NotFound(f"not in your pool: {', '.join(missing)}",
                       [{"field": "numbers", "number": e, "message": "not in your pool"}
                        for e in missing])
    held = set(session.scalars(select(NumberHold.e164).where(
        NumberHold.e164.in_(wanted), NumberHold.expires_at > now)))
    for e164 in wanted:
        number = rows[e164]
        if e164 in held and number.state != "reserved":
            raise Conflict(f"{e164} is held for a sign-up waiting for its e-mail check",
                           [{"field": "numbers", "number": e164, "state": "held"}])
        if number.state == "reserved" and number.customer_id != customer.id:
            raise Conflict(f"{e164} is reserved for another customer",
                           [{"field": "numbers", "number": e164, "state": "reserved"}])
        if number.state == "reserved":
            if reserve:
                continue
            _move(session, number, "assigned", customer.id, "assigned", actor, now)
        else:
            target = "reserved" if reserve else "assigned"
            _move(session, number, target, customer.id, target, actor, now)
        if number.state == "assigned":
            events.record(session, "number_assigned", _assigned_event(number, customer.id))
    return [to_contract(rows[e]) for e in wanted]


def order(session: Session, actor: Actor, customer: KnownCustomer, count: int,
          country: str | None, area_code: str | None, events: EventSink, now: datetime
          ) -> list[dict[str, Any]]:
    """``count`` available numbers at once, or none. SKIP LOCKED lets concurrent
    orders pick different numbers instead of waiting for, or sharing, the same ones."""
    if actor.role == Role.ADMIN:
        raise Forbidden("orders are made by the reseller or its customer")
    if actor.is_plain_user:
        raise Forbidden("your account's administrators order its numbers")
    _open(customer)
    stmt = select(Number).where(Number.reseller_id == customer.reseller_id, available_now(now),
                                not_held(now))
    if country:
        stmt = stmt.where(Number.country == country)
    if area_code:
        stmt = stmt.where(Number.area_code == area_code)
    rows = session.scalars(
        stmt.order_by(Number.e164).limit(count).with_for_update(skip_locked=True)).all()
    if len(rows) < count:
        wanted = " ".join(filter(None, [country, area_code and f"area code {area_code}"]))
        raise Conflict(f"only {len(rows)} number(s) available{' for ' + wanted if wanted else ''}"
                       f"; {count} asked, none assigned",
                       {"available": len(rows), "asked": count})
    for number in rows:
        _move(session, number, "assigned", customer.id, "ordered", actor, now)
        events.record(session, "number_assigned", _assigned_event(number, customer.id))
    return [to_contract(n) for n in rows]


def release(session: Session, actor: Actor | None, number: Number, reason: str,
            events: EventSink, now: datetime) -> None:
    holder = number.customer_id
    days = aging_days(session, number.reseller_id)
    # A reserved number never rang for its holder: nobody's callers need it to rest.
    if days and number.state != "reserved":
        _move(session, number, "aging", None, "released", actor, now)
        number.available_at = now + timedelta(days=days)
    else:
        _move(session, number, "available", None, "released", actor, now)
    if holder:
        events.record(session, "number_released", _event(number, holder, reason=reason))


def unassign(session: Session, actor: Actor, customer: KnownCustomer, text: str,
             events: EventSink, now: datetime) -> dict[str, Any]:
    actor.require(Role.RESELLER)
    try:
        e164 = parse_number(text).e164
    except NumberError:
        raise NotFound("this customer has no such number") from None
    number = session.scalars(
        select(Number).where(Number.e164 == e164, Number.customer_id == customer.id,
                             Number.reseller_id == actor.reseller_id).with_for_update()
    ).first()
    if number is None:
        raise NotFound("this customer has no such number")
    release(session, actor, number, "unassigned", events, now)
    return to_contract(number)


def give_to_user(session: Session, actor: Actor, customer: KnownCustomer, text: str,
                 user: KnownUser | None, events: EventSink, now: datetime) -> dict[str, Any]:
    """Let ``user`` (a live user of ``customer``, from the copy) hold one of the account's
    numbers, or the account itself again (``user`` None). The number stays assigned: its
    ``number_assigned`` (with ``user_id``) tells the phones and the PBX whose it is now."""
    actor.require(Role.RESELLER, Role.ADMIN, Role.CUSTOMER)
    if actor.is_plain_user:
        raise Forbidden("your account's administrators decide who holds its numbers")
    _open(customer)
    try:
        e164 = parse_number(text).e164
    except NumberError:
        raise NotFound("this customer has no such number") from None
    number = session.scalars(scope(
        select(Number).where(Number.e164 == e164, Number.customer_id == customer.id),
        actor).with_for_update()).first()
    if number is None:
        raise NotFound("this customer has no such number")
    if number.state != "assigned":
        raise Conflict(f"{e164} is {number.state}; assign it to the account first",
                       [{"field": "number", "state": number.state}])
    user_id = user.id if user else None
    if number.user_id != user_id:
        number.user_id = user_id
        number.version += 1
        number.updated_at = now
        _history(session, number, "user_assigned" if user_id else "user_unassigned", actor,
                 now)
        events.record(session, "number_assigned", _assigned_event(number, customer.id))
    return to_contract(number)


def release_user(session: Session, user_id: str, events: EventSink, now: datetime) -> int:
    """Every number a deleted user held goes back to its pool through aging, as when its
    account closes."""
    numbers = session.scalars(
        select(Number).where(Number.user_id == user_id).order_by(Number.e164)
        .with_for_update()).all()
    for number in numbers:
        release(session, None, number, "user_deleted", events, now)
    return len(numbers)


def release_customer(session: Session, customer_id: str, events: EventSink,
                     now: datetime) -> int:
    """Every number of a closed customer goes back to its pool."""
    numbers = session.scalars(
        select(Number).where(Number.customer_id == customer_id).order_by(Number.e164)
        .with_for_update()).all()
    for number in numbers:
        release(session, None, number, "customer_closed", events, now)
    return len(numbers)


# -- search -------------------------------------------------------------------------------
def _filtered(actor: Actor, query: NumberQuery) -> Select:
    stmt = scope(select(Number), actor)
    if query.state:
        stmt = stmt.where(Number.state == query.state)
    if query.country:
        stmt = stmt.where(Number.country == query.country)
    if query.prefix:
        stmt = stmt.where(Number.e164.startswith(query.prefix, autoescape=True))
    if query.area_code:
        stmt = stmt.where(Number.area_code == query.area_code)
    if query.customer_id:
        stmt = stmt.where(Number.customer_id == query.customer_id)
    if query.user_id:
        stmt = stmt.where(Number.user_id == query.user_id)
    return stmt


def search(session: Session, actor: Actor, query: NumberQuery) -> dict[str, Any]:
    stmt = _filtered(actor, query)
    total = session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0
    rows = session.scalars(stmt.order_by(Number.e164).limit(query.per_page)
                           .offset((query.page - 1) * query.per_page)).all()
    return NumberPage(items=[to_contract(n) for n in rows], total=total, page=query.page,
                      per_page=query.per_page,
                      pages=max(1, math.ceil(total / query.per_page))).model_dump(mode="json")


CSV_FIELDS = ("number", "state", "country", "area_code", "number_type", "region",
              "customer_id", "available_at", "created_at", "user_id")


def export_page(session: Session, actor: Actor, query: NumberQuery, after: str | None,
                size: int = 2000) -> dict[str, Any]:
    """One page of the search as CSV, in E.164 order after ``after`` (keyset: constant
    cost); the header comes with the first page, ``next`` says where the next one starts."""
    stmt = _filtered(actor, query)
    if after:
        stmt = stmt.where(Number.e164 > after)
    rows = [to_contract(n) for n in session.scalars(stmt.order_by(Number.e164).limit(size + 1))]
    more = len(rows) > size
    rows = rows[:size]
    out = io.StringIO()
    writer = csv.writer(out)
    if after is None:
        writer.writerow(CSV_FIELDS)
    writer.writerows([row.get(f) or "" for f in CSV_FIELDS] for row in rows)
    return CsvPage(csv=out.getvalue(), next=rows[-1]["number"] if more else None
                   ).model_dump(mode="json")


def history(session: Session, actor: Actor, text: str) -> list[dict[str, Any]]:
    actor.require(Role.RESELLER, Role.ADMIN)
    try:
        e164 = parse_number(text).e164
    except NumberError:
        raise NotFound("no such number in your pool") from None
    number = session.scalars(scope(select(Number).where(Number.e164 == e164), actor)).first()
    if number is None:
        raise NotFound("no such number in your pool")
    rows = session.scalars(select(NumberHistory).where(NumberHistory.e164 == e164)
                           .order_by(NumberHistory.id)).all()
    added = {"action": "imported" if number.import_id else "added", "state": "available",
             "customer_id": None, "at": number.created_at.isoformat()}
    events = [{"action": h.action, "state": h.state, "customer_id": h.customer_id,
               "at": h.at.isoformat()} for h in rows]
    return events if events and events[0]["action"] == "added" else [added, *events]


# -- checking numbers before using them (imports of users) ---------------------------------
def check(session: Session, actor: Actor, texts: list[str], customer_id: str | None,
          country: str | None, now: datetime) -> list[dict[str, Any]]:
    """What each text is to the actor's pool, in one query, changing nothing:
    ``available`` (free in the pool), ``held`` (already the customer's), ``taken`` (another
    customer's, reserved or aging), ``not_in_pool`` or ``invalid`` (with why). National
    numbers are read in ``country``."""
    actor.require(Role.RESELLER)
    parsed: list[tuple[str, str | None, str]] = []
    for text in texts:
        try:
            parsed.append((text, parse_number(text, country).e164, ""))
        except NumberError as exc:
            parsed.append((text, None, str(exc)))
    wanted = {e for _, e, _ in parsed if e}
    rows = {n.e164: n for n in session.scalars(
        select(Number).where(Number.e164.in_(wanted), Number.reseller_id == actor.reseller_id))
    } if wanted else {}
    out = []
    for text, e164, why in parsed:
        number = rows.get(e164) if e164 else None
        if e164 is None:
            status, message = "invalid", why
        elif number is None:
            status, message = "not_in_pool", f"{e164} is not in your pool"
        elif customer_id and number.customer_id == customer_id:
            status, message = "held", f"{e164} is already this account's"
        elif number.state == "available" or (
                number.state == "aging" and number.available_at is not None
                and number.available_at <= now):
            status, message = "available", ""
        else:
            status, message = "taken", f"{e164} is {number.state}"
        out.append({"text": text, "number": e164, "status": status, "message": message})
    return out
