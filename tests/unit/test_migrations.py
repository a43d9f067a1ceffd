"""The Alembic history produces exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.accounts.models import metadata


def test_accounts_migrations_match_models(accounts_db):
    engine = accounts_db.kw["bind"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"write a migration for: {diff}"
