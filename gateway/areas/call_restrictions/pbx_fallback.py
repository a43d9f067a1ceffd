"""What the PBX is told while call restrictions are unavailable.

The gateway remembers, per PBX token and customer (or calling number), the customer's
country and its reseller's choice (fail open or closed) from the last answer routing_policy
gave. While routing_policy cannot be reached, a call is answered from that memory: emergency
numbers of the customer's country are always allowed; anything else follows the reseller's
choice; a customer never answered before is treated as fail-closed in the platform's default
country (``SB_PBX_FALLBACK_COUNTRY``).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from typing import Any

from phonenumbers import shortnumberinfo

from sbcommon.config import env, env_int

NOT_DIALLABLE = re.compile(r"[\s().\-/]")


class PbxFallbacks:
    def __init__(self, size: int, default_country: str):
        self.size = size
        self.default_country = default_country.upper()
        self._known: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str, customer: str | None, caller: str | None,
             sip_user: str | None = None) -> tuple[str, str]:
        # Per token: another reseller's token never gets an answer about this customer.
        if customer:
            who = f"customer:{customer}"
        elif sip_user:
            who = f"sip_user:{sip_user}"
        else:
            who = f"caller:{(caller or '').replace(' ', '')}"
        return hashlib.sha256(token.encode()).hexdigest()[:32], who

    def remember(self, token: str, customer: str | None, caller: str | None,
                 answer: dict[str, Any], sip_user: str | None = None) -> None:
        if not answer.get("country"):
            return
        key = self._key(token, customer, caller, sip_user)
        with self._lock:
            self._known[key] = (answer["country"], answer.get("when_unavailable") or "deny")
            self._known.move_to_end(key)
            while len(self._known) > self.size:
                self._known.popitem(last=False)

    def decide(self, token: str, customer: str | None, caller: str | None,
               dialed: str, sip_user: str | None = None) -> dict[str, Any]:
        with self._lock:
            known = self._known.get(self._key(token, customer, caller, sip_user))
        country, choice = known or (self.default_country, "deny")
        compact = NOT_DIALLABLE.sub("", dialed)
        if "+" not in compact and shortnumberinfo.is_emergency_number(compact, country):
            allow, reason = True, f"{compact} is an emergency number in {country}"
        else:
            allow = choice == "allow"
            reason = ("the reseller chose to allow calls" if allow
                      else "calls are refused") + " while call restrictions are unavailable"
        return {"allow": allow, "destination": compact, "rule_id": None,
                "level": "unavailable", "reason": reason, "customer_id": customer,
                "country": country, "when_unavailable": choice}


FALLBACKS = PbxFallbacks(size=env_int("SB_PBX_FALLBACK_ENTRIES", 100_000),
                         default_country=env("SB_PBX_FALLBACK_COUNTRY", "CA"))
