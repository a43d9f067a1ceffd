"""customer version, carried by every customer event

Services that keep a copy of a customer apply an event only when its version is newer than
their copy, so events arriving late or out of order cannot roll a customer back.

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
    op.add_column('customers', sa.Column('version', sa.BigInteger(), server_default='1',
                                         nullable=False))


def downgrade() -> None:
    op.drop_column('customers', 'version')
