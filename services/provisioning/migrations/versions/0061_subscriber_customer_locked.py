"""customers copy: the reseller's lock on the subscriber's own settings

Revision ID: 0060_subscriber
Revises: 0060_users_line_users
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_subscriber'
down_revision = '0060_users_line_users'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Carried by every customer event; refuses the subscriber's own writes when true.
    op.add_column('customers', sa.Column('locked', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('customers', 'locked')
