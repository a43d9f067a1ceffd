"""Each service's Alembic history produces exactly the schema its models describe."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sbcommon.migrate import migratable_services


@pytest.mark.parametrize("service", migratable_services())
def test_migrations_match_models(databases, service):
    metadata = importlib.import_module(f"services.{service}.models").metadata
    engine = databases[service].kw["bind"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"write a migration for {service}: {diff}"


def test_every_service_has_migrations():
    assert set(migratable_services()) >= {"accounts", "numbering", "routing_policy",
                                          "provisioning", "notifications"}
