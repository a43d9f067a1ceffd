"""Alembic environment of the notifications service (shared body: sbcommon.migrate.run_env)."""

from sbcommon.migrate import run_env
from services.notifications.models import metadata

run_env(metadata)
