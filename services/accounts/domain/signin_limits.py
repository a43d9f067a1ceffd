"""Sign-in limits in PostgreSQL, shared by every accounts replica.

Each attempt first *reserves* its place with one atomic upsert (``INSERT … ON CONFLICT DO
UPDATE … RETURNING``), before any password is checked: parallel guesses cannot all read
"under the limit" and then all add one (check-then-add). A successful sign-in gives its
reservation back.

Two keys per attempt:
- the client **network** (an IPv4 address, an IPv6 /64: one host owns a whole /64), with a
  fixed window: many accounts sprayed from one place;
- the **account from that network**, with a window that doubles while the guessing goes on:
  a stranger is slowed down more and more, while the owner, signing in from elsewhere, is
  never locked out by someone else's guesses.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

# The key's current window ends at window_start + base * 2^strikes (capped); an attempt
# after that starts a new window, one strike further if the last one went over the limit.
RESERVE = text("""
INSERT INTO signin_limits AS l (key, attempts, strikes, window_start)
VALUES (:key, 1, 0, :now)
ON CONFLICT (key) DO UPDATE SET
  attempts = CASE
    WHEN l.window_start + make_interval(secs => LEAST(:base * 2 ^ l.strikes, :cap)) <= :now
    THEN 1 ELSE l.attempts + 1 END,
  strikes = CASE
    WHEN l.window_start + make_interval(secs => LEAST(:base * 2 ^ l.strikes, :cap)) <= :now
    THEN CASE WHEN l.attempts > :limit THEN l.strikes + 1 ELSE 0 END
    ELSE l.strikes END,
  window_start = CASE
    WHEN l.window_start + make_interval(secs => LEAST(:base * 2 ^ l.strikes, :cap)) <= :now
    THEN :now ELSE l.window_start END
RETURNING attempts, strikes, window_start
""")


@dataclass(frozen=True)
class Rule:
    limit: int  # attempts allowed in one window
    base: float  # seconds of the first window
    cap: float  # longest window (the window doubles after each window over the limit)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the key's window ends (when not allowed)


def network(address: str | None) -> str:
    """The unit an address limit applies to: the IPv4 address, the IPv6 /64."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def address_key(net: str) -> str:
    return f"net:{net}"


def account_key(account: str, net: str) -> str:
    """``account`` is a user id, or the name typed for an unknown one (hashed: the table
    must not become a list of what strangers typed)."""
    digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:40]
    return f"acct:{digest}|{net}"[:160]


def reserve(session: Session, key: str, rule: Rule, now: datetime) -> Verdict:
    row = session.execute(RESERVE, {"key": key, "now": now, "limit": rule.limit,
                                    "base": rule.base, "cap": rule.cap}).one()
    if row.attempts <= rule.limit:
        return Verdict(True, 0)
    window = min(rule.base * 2 ** row.strikes, rule.cap)
    ends = row.window_start + timedelta(seconds=window)
    return Verdict(False, max(1, int((ends - now).total_seconds()) + 1))


def give_back(session: Session, key: str) -> None:
    """A successful sign-in was not a failure: its reservation no longer counts."""
    session.execute(text("UPDATE signin_limits SET attempts = GREATEST(attempts - 1, 0) "
                         "WHERE key = :key"), {"key": key})


def forget(session: Session, key: str) -> None:
    """The owner signed in from this network: its back-off there starts again."""
    session.execute(text("DELETE FROM signin_limits WHERE key = :key"), {"key": key})


def purge(session: Session, now: datetime, older_than: timedelta) -> int:
    result = session.execute(text("DELETE FROM signin_limits WHERE window_start < :cutoff"),
                             {"cutoff": now - older_than})
    return int(result.rowcount or 0)
