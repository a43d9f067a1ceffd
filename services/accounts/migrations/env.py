"""Alembic environment of the accounts service (shared body: sbcommon.migrate.run_env)."""

from sbcommon.migrate import run_env
from services.accounts.models import metadata

run_env(metadata)
