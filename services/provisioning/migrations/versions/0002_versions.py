"""versions: the shared customer-copy and number-holder shapes

Customers and their numbers become version-checked copies (sbcommon.replica): an event older
than the copy changes nothing. A released number keeps its row, without a holder, so its
version still stops a late assignment.

Revision ID: 0002_versions
Revises: 0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_versions'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('customers', sa.Column('country', sa.String(2), server_default='',
                                         nullable=False))
    op.add_column('customers', sa.Column('version', sa.BigInteger(), server_default='0',
                                         nullable=False))
    op.alter_column('customer_numbers', 'customer_id', nullable=True)
    op.add_column('customer_numbers', sa.Column('version', sa.BigInteger(),
                                                server_default='0', nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM customer_numbers WHERE customer_id IS NULL")
    op.drop_column('customer_numbers', 'version')
    op.alter_column('customer_numbers', 'customer_id', nullable=False)
    op.drop_column('customers', 'version')
    op.drop_column('customers', 'country')
