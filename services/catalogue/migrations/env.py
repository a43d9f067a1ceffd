"""Alembic environment of the catalogue service (shared body: sbcommon.migrate.run_env)."""

from sbcommon.migrate import run_env
from services.catalogue.models import metadata

run_env(metadata)
