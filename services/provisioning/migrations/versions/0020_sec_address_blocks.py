"""failed logins per address, shared by every file-server process

Revision ID: 0020_sec
Revises: 0010_idem
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020_sec'
down_revision = '0010_idem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'address_blocks',
        sa.Column('address', sa.String(length=64), nullable=False),
        # the times of its recent failures (a sliding window, at most max_failures kept)
        sa.Column('recent', postgresql.ARRAY(sa.DateTime(timezone=True)), nullable=False),
        sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('address', name=op.f('pk_address_blocks')),
    )


def downgrade() -> None:
    op.drop_table('address_blocks')
