"""organisations: each known customer's organisation, users' extensions and numbers' users
(internal calls and the shared directory)

Revision ID: 0060_organisations
Revises: 0060_subscriber
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_organisations'
down_revision = '0060_subscriber'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('customers', sa.Column('organisation_id', sa.String(36), nullable=True))
    op.create_index('ix_customers_organisation_id', 'customers', ['organisation_id'])
    op.add_column('caller_numbers', sa.Column('user_id', sa.String(36), nullable=True))
    # The shape of sbcommon.replica.AccountUserCopy (as numbering and provisioning keep it).
    op.create_table(
        'account_users',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('customer_id', sa.String(36), nullable=False),
        sa.Column('reseller_id', sa.String(36), nullable=False),
        sa.Column('display_name', sa.String(200), nullable=False, server_default=''),
        sa.Column('extension', sa.String(6), nullable=True),
        sa.Column('deleted', sa.Boolean(), nullable=False, server_default='false'),
        sa.Column('version', sa.BigInteger(), nullable=False, server_default='0'),
    )
    op.create_index('ix_account_users_customer_id', 'account_users', ['customer_id'])


def downgrade() -> None:
    op.drop_index('ix_account_users_customer_id', table_name='account_users')
    op.drop_table('account_users')
    op.drop_column('caller_numbers', 'user_id')
    op.drop_index('ix_customers_organisation_id', table_name='customers')
    op.drop_column('customers', 'organisation_id')
