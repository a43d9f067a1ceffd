"""numbers held for a visitor's sign-up until its e-mail is verified

Revision ID: 0060_signup_holds
Revises: 0060_subscriber
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_signup_holds'
down_revision = '0060_subscriber'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'number_holds',
        sa.Column('e164', sa.String(16), primary_key=True),
        sa.Column('reseller_id', sa.String(36), nullable=False),
        sa.Column('hold_key', sa.String(36), nullable=False),
        sa.Column('client_net', sa.String(64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_number_holds_key', 'number_holds', ['hold_key'])
    op.create_index('ix_number_holds_net', 'number_holds', ['client_net', 'expires_at'])


def downgrade() -> None:
    op.drop_table('number_holds')
