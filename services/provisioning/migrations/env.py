"""Alembic environment of the provisioning service (shared body: sbcommon.migrate.run_env)."""

from sbcommon.migrate import run_env
from services.provisioning.models import metadata

run_env(metadata)
