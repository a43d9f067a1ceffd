"""routing_policy settings, read from the environment."""

from __future__ import annotations

from pydantic import Field

from sbcommon.settings import Settings


class RoutingPolicySettings(Settings):
    # Safety net: a full reload from the database every so often, in case a broadcast was
    # missed while this replica was disconnected from RabbitMQ (broadcast queues are
    # per-replica and not durable).
    refresh_seconds: int = Field(300, ge=1, validation_alias="ROUTING_POLICY_REFRESH_SECONDS")
