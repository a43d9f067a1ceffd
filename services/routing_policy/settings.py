"""routing_policy settings, read from the environment."""

from __future__ import annotations

from pydantic import Field

from sbcommon.settings import Settings


class RoutingPolicySettings(Settings):
    # Safety net: a full reload from the database every so often, whatever happened.
    refresh_seconds: int = Field(300, ge=1, validation_alias="ROUTING_POLICY_REFRESH_SECONDS")
    # How often a replica compares its cache's generation with the database's, and how long
    # a gap may last (a broadcast on its way) before it counts as missed and the replica
    # reloads: a missed broadcast costs at most about the sum of the two, plus a reload.
    generation_seconds: float = Field(1.0, gt=0,
                                      validation_alias="ROUTING_POLICY_GENERATION_SECONDS")
    generation_grace_seconds: float = Field(
        1.5, ge=0, validation_alias="ROUTING_POLICY_GENERATION_GRACE_SECONDS")
    # The direct PBX server of each replica (replicas on one host share it: SO_REUSEPORT).
    pbx_http_address: str = Field("127.0.0.1:8010", validation_alias="SB_PBX_HTTP_ADDRESS")
    # A request must arrive within this time; an idle kept-alive connection is closed after
    # the idle time; at most this many connections are served at once per replica.
    pbx_read_timeout: float = Field(10.0, gt=0, validation_alias="SB_PBX_READ_TIMEOUT_SECONDS")
    pbx_idle_timeout: float = Field(75.0, gt=0, validation_alias="SB_PBX_IDLE_TIMEOUT_SECONDS")
    pbx_max_connections: int = Field(1000, ge=1,
                                     validation_alias="SB_PBX_MAX_CONNECTIONS")
