"""Every write made inside a direct access (a reseller's user in a subscriber's account) is
recorded in the reseller's audit log, attributed to that user.

Written ahead: the entry is recorded *before* the write runs, and if it cannot be recorded
(accounts away) the write does not run (503). An action can therefore never happen without
its entry. If the write then fails, a second entry says so; should that one be lost, the log
shows an attempt that did not change anything — never a change it does not show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sbcommon.errors import SwitchboardError

if TYPE_CHECKING:
    from .context import Ctx
    from .routing import Route

log = logging.getLogger(__name__)

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Leaving or signing out is recorded as the end of the visit itself.
NOT_ACTIONS = frozenset({"/logout", "/direct-access/leave", "/api/v1/auth/logout"})
MAX_TARGETS = 10


def in_visit(ctx: Ctx) -> bool:
    return bool(ctx.session and ctx.session.get("support"))


def _targets(ctx: Ctx) -> dict[str, str]:
    """The ids in the path (customer, device, number…): what the action was about."""
    return {k: str(v)[:100] for k, v in list(ctx.args.items())[:MAX_TARGETS]}


def audited(ctx: Ctx, route: Route, args: dict[str, Any], run: Callable[[], Response]
            ) -> Response:
    """Run ``run`` (the route's handler), recording it first when it is a write inside a
    direct access."""
    if not in_visit(ctx) or ctx.request.method not in WRITES or route.path in NOT_ACTIONS:
        return run()
    ctx.args = args
    accounts = ctx.backends.accounts
    action = {"method": ctx.request.method, "route": route.path[:200],
              "path": ctx.request.path[:500], "targets": _targets(ctx)}
    entry = accounts.record_support_action(ctx.actor, action)["entry"]
    try:
        response = run()
    except Exception as exc:
        status = exc.status if isinstance(exc, SwitchboardError) else 500
        _failed(ctx, action, entry, status)
        raise
    if response.status_code >= 400:
        _failed(ctx, action, entry, response.status_code)
    return response


def _failed(ctx: Ctx, action: dict[str, Any], entry: int, status: int) -> None:
    try:
        ctx.backends.accounts.record_support_action(
            ctx.actor, {**action, "failed_entry": entry, "status": status})
    except Exception:  # the first entry stands: the log over-reports, never under-reports
        log.warning("could not record that support action %s failed (%s)", entry, status)
