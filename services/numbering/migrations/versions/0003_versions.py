"""versions: the shared customer-copy shape, and a version per number

The customer copy takes the shape every service shares (sbcommon.replica): ``id``, name and
the version of accounts' events, so a late event cannot roll a customer back. Numbers get a
version that their events carry, for the services that keep a copy of who holds a number.

Revision ID: 0003_versions
Revises: 0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_versions'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column('customers', 'customer_id', new_column_name='id')
    op.add_column('customers', sa.Column('name', sa.String(200), server_default='',
                                         nullable=False))
    op.alter_column('customers', 'country', server_default='')
    op.add_column('customers', sa.Column('version', sa.BigInteger(), server_default='0',
                                         nullable=False))
    op.add_column('customers', sa.Column('updated_at', sa.DateTime(timezone=True),
                                         server_default=sa.func.now(), nullable=False))
    op.add_column('numbers', sa.Column('version', sa.BigInteger(), server_default='0',
                                       nullable=False))


def downgrade() -> None:
    op.drop_column('numbers', 'version')
    op.drop_column('customers', 'updated_at')
    op.drop_column('customers', 'version')
    op.drop_column('customers', 'name')
    op.alter_column('customers', 'country', server_default=None)
    op.alter_column('customers', 'id', new_column_name='customer_id')
