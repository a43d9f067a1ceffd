"""Alembic environment of the numbering service (shared body: sbcommon.migrate.run_env)."""

from sbcommon.migrate import run_env
from services.numbering.models import metadata

run_env(metadata)
