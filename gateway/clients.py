"""The services the gateway calls, each through a typed client (``sbcommon.contracts.rpc``).

This list is the whole of it: the nameko entrypoint declares one RPC proxy per name here,
and the health check asks each of them.
"""

from __future__ import annotations

from typing import Any

from sbcommon.contracts.rpc import (
    AccountsRpc,
    CatalogueRpc,
    NotificationsRpc,
    NumberingRpc,
    ProvisioningRpc,
    RoutingPolicyRpc,
)
from sbcommon.idempotency import CallStamp

SERVICES: dict[str, type] = {
    "accounts": AccountsRpc,
    "numbering": NumberingRpc,
    "routing_policy": RoutingPolicyRpc,
    "provisioning": ProvisioningRpc,
    "notifications": NotificationsRpc,
    "catalogue": CatalogueRpc,
}


class Backends:
    """Clients of the services, by service name (``backends.numbering.add_number(...)``).

    At run time each is a ``TimedProxy`` around nameko's RPC proxy; the annotations give the
    type checker each service's protocol.
    """

    accounts: AccountsRpc
    numbering: NumberingRpc
    routing_policy: RoutingPolicyRpc
    provisioning: ProvisioningRpc
    notifications: NotificationsRpc
    catalogue: CatalogueRpc

    def __init__(self, stamp: CallStamp | None = None, **clients: Any):
        # The request's idempotency stamp (named by the client's Idempotency-Key, if any).
        self.stamp = stamp
        unknown = set(clients) - set(SERVICES)
        if unknown:
            raise TypeError(f"not a service the gateway calls: {sorted(unknown)}")
        self._names = sorted(clients)
        for name, client in clients.items():
            setattr(self, name, client)

    def names(self) -> list[str]:
        return list(self._names)
