"""organisations: each customer's organisation (the phones' phone book)

Revision ID: 0061_organisations
Revises: 0060_subscriber
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0061_organisations'
down_revision = '0060_subscriber'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('customers', sa.Column('organisation_id', sa.String(36), nullable=True))
    op.create_index('ix_customers_organisation_id', 'customers', ['organisation_id'])


def downgrade() -> None:
    op.drop_index('ix_customers_organisation_id', table_name='customers')
    op.drop_column('customers', 'organisation_id')
