"""phone lines that belong to a user of the account, and a copy of the customers' users

Revision ID: 0060_users_line_users
Revises: 0050_sip_servers
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_users_line_users'
down_revision = '0050_sip_servers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('devices', sa.Column('user_id', sa.String(36), nullable=True))
    op.create_index(op.f('ix_devices_user_id'), 'devices', ['user_id'])
    op.add_column('customer_numbers', sa.Column('user_id', sa.String(36), nullable=True))
    op.create_index(op.f('ix_customer_numbers_user_id'), 'customer_numbers', ['user_id'])
    op.create_table(
        'account_users',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('customer_id', sa.String(36), nullable=False),
        sa.Column('reseller_id', sa.String(36), nullable=False),
        sa.Column('display_name', sa.String(200), nullable=False, server_default=''),
        sa.Column('extension', sa.String(6), nullable=True),
        sa.Column('deleted', sa.Boolean(), nullable=False, server_default='false'),
        sa.Column('version', sa.BigInteger(), nullable=False, server_default='0'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_users')),
    )
    op.create_index(op.f('ix_account_users_customer_id'), 'account_users', ['customer_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_account_users_customer_id'), 'account_users')
    op.drop_table('account_users')
    op.drop_index(op.f('ix_customer_numbers_user_id'), 'customer_numbers')
    op.drop_column('customer_numbers', 'user_id')
    op.drop_index(op.f('ix_devices_user_id'), 'devices')
    op.drop_column('devices', 'user_id')
