"""how many numbers each customer may hold, set by its reseller

Revision ID: 0020_sec
Revises: 0010_idem
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0020_sec'
down_revision = '0010_idem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'number_quotas',
        sa.Column('customer_id', sa.String(length=36), nullable=False),
        sa.Column('reseller_id', sa.String(length=36), nullable=False),
        sa.Column('max_numbers', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_number_quotas')),
    )


def downgrade() -> None:
    op.drop_table('number_quotas')
