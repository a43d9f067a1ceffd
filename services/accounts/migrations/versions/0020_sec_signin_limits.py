"""sign-in limits shared by every accounts replica; where each reset link was asked from

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
        'signin_limits',
        sa.Column('key', sa.String(length=160), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('strikes', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_signin_limits')),
    )
    op.create_index('ix_signin_limits_window_start', 'signin_limits', ['window_start'])
    op.add_column('reset_tokens', sa.Column('requested_from', sa.String(length=64),
                                            nullable=True))


def downgrade() -> None:
    op.drop_column('reset_tokens', 'requested_from')
    op.drop_index('ix_signin_limits_window_start', table_name='signin_limits')
    op.drop_table('signin_limits')
