"""routing_policy settings, read from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from sbcommon.config import env_int


@dataclass(frozen=True)
class RoutingPolicySettings:
    # Safety net: a full reload from the database every so often, in case a broadcast was
    # missed while this replica was disconnected from RabbitMQ (broadcast queues are
    # per-replica and not durable).
    refresh_seconds: int = 300

    @classmethod
    def from_env(cls) -> RoutingPolicySettings:
        return cls(refresh_seconds=env_int("ROUTING_POLICY_REFRESH_SECONDS",
                                           cls.refresh_seconds))
