"""The PBX's questions, answered from a replica's cache: ``authorize`` and
``sip-credentials``. Shared by the direct PBX server (``services.routing_policy.pbx_http``)
and the RPC the gateway's ``/pbx/v1`` calls; plain functions, no nameko, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from sbcommon.contracts.routing_policy import (
    AuthorizeQuery,
    DirectoryQuery,
    SipCredentialsQuery,
)
from sbcommon.errors import BadRequest, Invalid, NotFound, SwitchboardError
from sbcommon.metrics import AUTHORIZE
from sbcommon.validation import parse

from .cache import PolicyCache, TokenInfo
from .numbers import clean
from .policy import CustomerContext, Verdict

log = logging.getLogger(__name__)
IDENTITIES = ("customer", "caller", "sip_user")
MAX_FIELDS = 10


def plus_restored(value: Any) -> Any:
    """A query string decodes ``+`` as a space, and a PBX that does not escape it (Kamailio's
    ``s.escape.param`` leaves it) sends ``+33…`` that arrives as `` 33…``. A leading space
    before digits has no other meaning in a number: it is read as the ``+`` it was."""
    if isinstance(value, str) and value[:1] == " ":
        rest = value.lstrip(" ")
        if rest[:1].isdigit():
            return "+" + rest
    return value


def understand(query: Mapping[str, Any]) -> AuthorizeQuery:
    """The authorize query, its numbers as meant; 422 saying what is wrong otherwise."""
    if not isinstance(query, Mapping):
        raise BadRequest("the query must be a JSON object")
    restored = {k: plus_restored(v) if k in ("dialed", "caller") else v
                for k, v in query.items()}
    data = parse(AuthorizeQuery, restored, "query")
    given = [name for name in IDENTITIES if getattr(data, name) is not None]
    if len(given) != 1:
        raise Invalid("give exactly one of customer=<id>, caller=<E.164 number> or "
                      f"sip_user=<SIP username>; got {', '.join(given) or 'none'}",
                      [{"field": "customer", "message": "customer, caller or sip_user"}])
    if data.caller is not None:
        caller = clean(data.caller)
        if not caller.startswith("+"):
            raise Invalid("caller must be an E.164 number such as +15145550100",
                          [{"field": "caller", "message": "not E.164"}])
        data = data.model_copy(update={"caller": caller})
    return data


def log_verdict(verdict: Verdict, dialed: str) -> None:
    AUTHORIZE.labels("allow" if verdict.allow else "deny", verdict.level).inc()
    if not verdict.allow:  # the PBX operator will ask why a call was barred
        log.info("call denied: customer=%s kind=%s dialed=%r destination=%s level=%s "
                 "rule=%s reason=%s", verdict.customer_id, verdict.kind, dialed[:64],
                 verdict.destination, verdict.level, verdict.rule_id, verdict.reason)


def answer(cache: PolicyCache, context: CustomerContext, data: AuthorizeQuery
           ) -> dict[str, Any]:
    verdict = cache.decide(context, data.dialed, data.kind)
    log_verdict(verdict, data.dialed)
    # The country and the reseller's fail-open choice let the gateway answer the same
    # customer while this service is unreachable; dialed and caller say what was understood.
    return {**verdict.as_dict(), "country": context.country,
            "when_unavailable": cache.unavailable_action(context.reseller_id),
            "dialed": data.dialed, "caller": data.caller}


def authorize(cache: PolicyCache, holder: TokenInfo, query: Mapping[str, Any]
              ) -> dict[str, Any]:
    """From memory only: a customer not heard of yet is a 404 (its event is on the way)."""
    data = understand(query)
    context = cache.customer_context(data.customer, data.caller, holder.reseller_id,
                                     data.sip_user)
    return answer(cache, context, data)


def sip_credentials(cache: PolicyCache, holder: TokenInfo, query: Mapping[str, Any]
                    ) -> dict[str, Any]:
    data = parse(SipCredentialsQuery, dict(query), "query")
    return cache.sip_credentials(data.username, data.realm, holder.reseller_id)


# -- the direct server's routing (HTTP-agnostic: the WSGI wrapper only moves bytes) --------
def read_query(query_string: str) -> dict[str, str]:
    """Each parameter once; 400 for a repeated one or a query that is not UTF-8."""
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, strict_parsing=False,
                          errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"the query string cannot be read: {str(exc)[:80]}") from None
    query: dict[str, str] = {}
    for key, value in pairs:
        if key in query:
            raise BadRequest(f"the query parameter {key[:32]!r} is given twice",
                             [{"field": key[:32], "message": "repeated"}])
        query[key] = value
    return query


def token_of(authorization: str | None) -> str | None:
    """The PBX token from ``Bearer <token>``, or from ``Basic`` with the token as the
    password (Kamailio's http_connect, the one call that keeps its connection alive, can
    send only credentials of its connection URL)."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def directory(cache: PolicyCache, holder: TokenInfo, query: Mapping[str, Any]
              ) -> dict[str, Any]:
    """The directory the customer's users share (its organisation's, or its own)."""
    data = parse(DirectoryQuery, dict(query), "query")
    return cache.directory_of(data.customer, holder.reseller_id)


Handler = Callable[[PolicyCache, TokenInfo, Mapping[str, Any]], dict[str, Any]]
ROUTES: dict[str, Handler] = {
    "/pbx/v1/authorize": authorize,
    "/pbx/v1/sip-credentials": sip_credentials,
    "/pbx/v1/directory": directory,
    "/pbx/v1/echo": lambda cache, holder, query: dict(query),
}


def handle(cache: PolicyCache, method: str, path: str, query_string: str,
           authorization: str | None, health: Callable[[], dict[str, Any]]
           ) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) for one request; every failure is a 4xx naming what is wrong."""
    try:
        if path == "/pbx/v1/health" and method in ("GET", "HEAD"):
            return 200, health()
        route = ROUTES.get(path)
        if route is None:
            raise NotFound(f"no such PBX endpoint {path[:64]!r}; "
                           f"known: {', '.join(sorted(ROUTES))}")
        if method not in ("GET", "HEAD"):
            return 405, {"error": "method_not_allowed",
                         "message": f"{method[:10]} is not allowed here; use GET",
                         "details": []}
        holder = cache.check_token(token_of(authorization))
        return 200, route(cache, holder, read_query(query_string))
    except SwitchboardError as exc:
        return exc.status, exc.to_dict()
