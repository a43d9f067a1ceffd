"""versions: the shared customer-copy and number-holder shapes; fail open or closed

Each reseller chooses what the PBX is told while call restrictions cannot be reached.

Customers and caller numbers become version-checked copies (sbcommon.replica): an event
older than the copy changes nothing. A released number keeps its row, without a holder, so
its version still stops a late assignment.

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
    op.add_column('customers', sa.Column('name', sa.String(200), server_default='',
                                         nullable=False))
    op.alter_column('customers', 'country', server_default='')
    op.add_column('customers', sa.Column('version', sa.BigInteger(), server_default='0',
                                         nullable=False))
    op.alter_column('caller_numbers', 'customer_id', nullable=True)
    op.add_column('caller_numbers', sa.Column('version', sa.BigInteger(), server_default='0',
                                              nullable=False))
    op.add_column('reseller_policies', sa.Column('unavailable_action', sa.String(5),
                                                 server_default='deny', nullable=False))
    op.create_check_constraint('unavailable_action', 'reseller_policies',
                               "unavailable_action IN ('allow', 'deny')")


def downgrade() -> None:
    op.drop_column('reseller_policies', 'unavailable_action')
    op.execute("DELETE FROM caller_numbers WHERE customer_id IS NULL")
    op.drop_column('caller_numbers', 'version')
    op.alter_column('caller_numbers', 'customer_id', nullable=False)
    op.drop_column('customers', 'version')
    op.alter_column('customers', 'country', server_default=None)
    op.drop_column('customers', 'name')
