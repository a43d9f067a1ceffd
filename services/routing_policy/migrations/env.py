"""Alembic environment of the routing_policy service (shared body: sbcommon.migrate.run_env)."""

from sbcommon.migrate import run_env
from services.routing_policy.models import metadata

run_env(metadata)
