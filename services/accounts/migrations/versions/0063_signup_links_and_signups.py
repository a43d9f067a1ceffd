"""sign-up links, custom links and pending sign-ups

Revision ID: 0060_signup
Revises: 0060_subscriber
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0060_signup'
down_revision = '0060_subscriber'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signup_links',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('reseller_id', sa.String(36), sa.ForeignKey('resellers.id'), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('plan_id', sa.String(36)),
        sa.Column('promotion_id', sa.String(36)),
        sa.Column('label', sa.String(80)),
        sa.Column('url', sa.String(500)),
        sa.Column('created_by', sa.String(36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True)),
        sa.CheckConstraint("kind IN ('company', 'professional', 'custom')",
                           name='ck_signup_links_kind'),
    )
    op.create_index('ix_signup_links_reseller', 'signup_links', ['reseller_id', 'created_at'])
    op.create_table(
        'signups',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('reseller_id', sa.String(36), sa.ForeignKey('resellers.id'), nullable=False),
        sa.Column('link_id', sa.String(36), sa.ForeignKey('signup_links.id'), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('state', sa.String(12), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False, unique=True),
        sa.Column('details', JSONB, nullable=False),
        sa.Column('terms_version', sa.String(20), nullable=False),
        sa.Column('terms_accepted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True)),
        sa.Column('customer_id', sa.String(36)),
        sa.CheckConstraint("state IN ('pending', 'completed')", name='ck_signups_state'),
    )
    op.create_index('ix_signups_expires', 'signups', ['expires_at'])


def downgrade() -> None:
    op.drop_table('signups')
    op.drop_table('signup_links')
