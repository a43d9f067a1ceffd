"""Numbers for the public sign-up: what a reseller's pool offers a visitor (by country and
area code), numbers held while the visitor's e-mail is checked, and their assignment once
the sign-up is verified.

A hold is a row beside the number, not a state of it: the number stays ``available`` (its
state machine needs a holder, and a visitor is nobody yet), orders and assignments skip it
while the hold lives, and an expired hold frees it by itself (nothing to undo).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sbcommon.errors import Conflict, Invalid, TooManyRequests

from ..models import Number, NumberHold
from .inventory import EventSink, _event, _move, available_now, not_held, to_contract
from .parse import NumberError, parse_number, region_for

log = logging.getLogger(__name__)

MAX_PER_HOLD = 3
SHOWN = 12  # numbers offered at once for an area code
MAX_HOLD_SECONDS = 7 * 86400


def _free(reseller_id: str, now: datetime) -> Any:
    return select(Number).where(Number.reseller_id == reseller_id, available_now(now),
                                not_held(now))


def offer(session: Session, reseller_id: str, country: str | None, area_code: str | None,
          now: datetime) -> dict[str, Any]:
    """The countries and area codes with free numbers, and some numbers of the chosen
    area code (or of the first one)."""
    rows = session.execute(
        _free(reseller_id, now).with_only_columns(Number.country, Number.area_code,
                                                  func.count())
        .group_by(Number.country, Number.area_code)
        .order_by(Number.country, Number.area_code)).all()
    areas = [{"country": c, "area_code": a, "available": n} for c, a, n in rows]
    chosen = [a for a in areas if (not country or a["country"] == country)
              and (not area_code or a["area_code"] == area_code)]
    numbers: list[dict[str, Any]] = []
    if chosen:
        pick = chosen[0]
        found = session.scalars(
            _free(reseller_id, now).where(Number.country == pick["country"],
                                          Number.area_code == pick["area_code"])
            .order_by(Number.e164).limit(SHOWN))
        numbers = [{"number": n.e164, "country": n.country, "area_code": n.area_code,
                    "region": region_for(n.e164)} for n in found]
    return {"areas": areas, "numbers": numbers}


def hold(session: Session, reseller_id: str, hold_key: str, texts: list[str], net: str,
         seconds: int, max_per_net: int, now: datetime) -> dict[str, Any]:
    """Hold ``texts`` (replacing what ``hold_key`` held before) for ``seconds``. A number
    that is not free, or held by someone else, is a 409 naming it."""
    if len(texts) > MAX_PER_HOLD:
        raise Invalid(f"at most {MAX_PER_HOLD} numbers", [{"field": "numbers",
                                                           "message": "too many"}])
    wanted: list[str] = []
    for text in texts:
        try:
            wanted.append(parse_number(str(text)[:32]).e164)
        except NumberError as exc:
            raise Invalid(f"numbers: {exc}", [{"field": "numbers", "number": str(text)[:32],
                                               "message": str(exc)}]) from None
    wanted = list(dict.fromkeys(wanted))
    session.execute(delete(NumberHold).where(NumberHold.hold_key == hold_key))
    elsewhere = session.scalar(select(func.count()).select_from(NumberHold).where(
        NumberHold.client_net == net, NumberHold.expires_at > now)) or 0
    if wanted and elsewhere + len(wanted) > max_per_net:
        raise TooManyRequests("too many numbers held from your network; finish or wait for "
                              "the sign-ups under way", {"retry_after": 3600})
    free = {n.e164: n for n in session.scalars(
        _free(reseller_id, now).where(Number.e164.in_(wanted)).with_for_update())}
    taken = [e for e in wanted if e not in free]
    if taken:
        raise Conflict(f"no longer available: {', '.join(taken)}; choose another",
                       [{"field": "numbers", "number": e, "message": "no longer available"}
                        for e in taken])
    until = now + timedelta(seconds=min(max(seconds, 60), MAX_HOLD_SECONDS))
    # A hold that expired under someone else's key still has its row: take its place.
    session.execute(delete(NumberHold).where(NumberHold.e164.in_(wanted)))
    for e164 in wanted:
        session.add(NumberHold(e164=e164, reseller_id=reseller_id, hold_key=hold_key,
                               client_net=net, expires_at=until))
    session.flush()
    return {"numbers": wanted, "expires_at": until.isoformat()}


def assign_signed_up(session: Session, reseller_id: str, customer_id: str, texts: list[str],
                     hold_key: str | None, events: EventSink, now: datetime) -> list[str]:
    """The verified sign-up's numbers go to its new account. Each is assigned once: one
    already this customer's is skipped (a replay), and one taken by someone else after its
    hold expired is left out (logged; the subscriber orders another)."""
    assigned = []
    for text in texts:
        try:
            e164 = parse_number(str(text)).e164
        except NumberError:
            continue
        number = session.scalars(select(Number).where(
            Number.e164 == e164, Number.reseller_id == reseller_id).with_for_update()).first()
        if number is None or number.customer_id == customer_id:
            continue
        free = session.scalar(select(Number.e164).where(
            Number.e164 == e164, available_now(now), not_held(now, except_key=hold_key)))
        if free is None:
            log.warning("sign-up of %s: %s is no longer free; not assigned", customer_id, e164)
            continue
        _move(session, number, "assigned", customer_id, "signed up", None, now)
        events.record(session, "number_assigned", _event(number, customer_id))
        assigned.append(to_contract(number)["number"])
    if hold_key:
        session.execute(delete(NumberHold).where(NumberHold.hold_key == hold_key))
    return assigned


def purge(session: Session, now: datetime) -> int:
    result = session.execute(delete(NumberHold).where(NumberHold.expires_at < now))
    return int(result.rowcount or 0)
