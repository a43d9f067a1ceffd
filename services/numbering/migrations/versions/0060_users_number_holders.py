"""numbers held by a user of the customer, and a copy of the customers' users

Revision ID: 0060_users_number_holders
Revises: 0020_sec
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_users_number_holders'
down_revision = '0020_sec'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('numbers', sa.Column('user_id', sa.String(36), nullable=True))
    op.create_check_constraint(op.f('ck_numbers_user_holder'), 'numbers',
                               'user_id IS NULL OR customer_id IS NOT NULL')
    op.create_index('ix_numbers_user', 'numbers', ['user_id'],
                    postgresql_where=sa.text('user_id IS NOT NULL'))
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
    op.drop_index('ix_numbers_user', 'numbers')
    op.drop_constraint(op.f('ck_numbers_user_holder'), 'numbers')
    op.drop_column('numbers', 'user_id')
