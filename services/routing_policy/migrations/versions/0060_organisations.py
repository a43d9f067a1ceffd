"""organisations: each known customer's organisation, users' extensions and numbers' users
(internal calls and the shared directory)

Revision ID: 0060_organisations
Revises: 0030_pbx
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_organisations'
down_revision = '0030_pbx'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('customers', sa.Column('organisation_id', sa.String(36), nullable=True))
    op.create_index('ix_customers_organisation_id', 'customers', ['organisation_id'])
    op.add_column('caller_numbers', sa.Column('user_id', sa.String(36), nullable=True))
    op.create_table(
        'directory_users',
        sa.Column('user_id', sa.String(36), primary_key=True),
        sa.Column('reseller_id', sa.String(36), nullable=False),
        sa.Column('customer_id', sa.String(36), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('extension', sa.String(10), nullable=True),
        sa.Column('deleted', sa.Boolean(), nullable=False, server_default='false'),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index('ix_directory_users_customer_id', 'directory_users', ['customer_id'])


def downgrade() -> None:
    op.drop_index('ix_directory_users_customer_id', table_name='directory_users')
    op.drop_table('directory_users')
    op.drop_column('caller_numbers', 'user_id')
    op.drop_index('ix_customers_organisation_id', table_name='customers')
    op.drop_column('customers', 'organisation_id')
