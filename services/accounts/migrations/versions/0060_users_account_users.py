"""users of a customer account: extension, account role, first/last name, version

Revision ID: 0060_users_account_users
Revises: 0050_resellers
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_users_account_users'
down_revision = '0050_resellers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add = lambda *a, **k: op.add_column('users', sa.Column(*a, **k))  # noqa: E731
    add('first_name', sa.String(100), nullable=True)
    add('last_name', sa.String(100), nullable=True)
    add('extension', sa.String(6), nullable=True)
    add('account_role', sa.String(20), nullable=True)
    add('version', sa.BigInteger(), nullable=False, server_default='1')
    add('updated_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    # Every account so far had one user, its main user: it administers the account.
    op.execute("UPDATE users SET account_role = 'account_admin' WHERE role = 'customer'")
    op.create_check_constraint(
        op.f('ck_users_account_role'), 'users',
        "(role = 'customer') = (account_role IS NOT NULL) "
        "AND (account_role IS NULL OR account_role IN ('account_admin', 'user'))")
    op.create_check_constraint(
        op.f('ck_users_extension'), 'users',
        "extension IS NULL OR (extension ~ '^[0-9]{2,6}$' AND customer_id IS NOT NULL)")
    # Extensions are dialled inside one account: unique there, free elsewhere.
    op.create_index('ix_users_customer_extension', 'users', ['customer_id', 'extension'],
                    unique=True, postgresql_where=sa.text('extension IS NOT NULL'))
    op.create_index('ix_users_customer', 'users', ['customer_id', 'display_name', 'id'])


def downgrade() -> None:
    op.drop_index('ix_users_customer', 'users')
    op.drop_index('ix_users_customer_extension', 'users')
    op.drop_constraint(op.f('ck_users_extension'), 'users')
    op.drop_constraint(op.f('ck_users_account_role'), 'users')
    for name in ('first_name', 'last_name', 'extension', 'account_role', 'version',
                 'updated_at'):
        op.drop_column('users', name)
