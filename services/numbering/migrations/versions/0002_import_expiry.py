"""imports remember when they were last fed and why they failed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('imports', sa.Column('fed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('imports', sa.Column('reason', sa.String(length=200), nullable=True))
    # imports left running by an earlier version have no feeder: the expiry ends them
    op.execute("UPDATE imports SET fed_at = created_at WHERE status = 'running'")


def downgrade() -> None:
    op.drop_column('imports', 'reason')
    op.drop_column('imports', 'fed_at')
