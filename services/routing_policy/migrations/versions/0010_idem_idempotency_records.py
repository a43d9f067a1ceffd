"""idempotency records: the outcome of each mutating call, by its caller's key

Revision ID: 0010_idem
Revises: 0002_versions
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010_idem'
down_revision = '0002_versions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency',
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('outcome', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency'))
    )
    op.create_index('ix_idempotency_created_at', 'idempotency', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_idempotency_created_at', table_name='idempotency')
    op.drop_table('idempotency')
