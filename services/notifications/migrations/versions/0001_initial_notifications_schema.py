"""initial notifications schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 23:59:28.408326
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('branding',
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('logo_url', sa.String(length=500), nullable=True),
    sa.Column('primary_color', sa.String(length=7), server_default='#1f4fd1', nullable=False),
    sa.Column('accent_color', sa.String(length=7), server_default='#0d1b3e', nullable=False),
    sa.Column('support_phone', sa.String(length=32), nullable=True),
    sa.Column('support_email', sa.String(length=254), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('reseller_id', name=op.f('pk_branding'))
    )
    op.create_table('mail',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=True),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='waiting', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('waiting', 'sent', 'failed')", name=op.f('ck_mail_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail')),
    sa.UniqueConstraint('message_id', name=op.f('uq_mail_message_id'))
    )
    op.create_index('ix_mail_due', 'mail', ['next_attempt_at'], unique=False, postgresql_where="status = 'waiting'")
    op.create_index('ix_mail_reseller_created', 'mail', ['reseller_id', 'created_at', 'id'], unique=False)
    op.create_table('processed_events',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', 'consumer', name=op.f('pk_processed_events'))
    )



def downgrade() -> None:

    op.drop_table('processed_events')
    op.drop_index('ix_mail_reseller_created', table_name='mail')
    op.drop_index('ix_mail_due', table_name='mail', postgresql_where="status = 'waiting'")
    op.drop_table('mail')
    op.drop_table('branding')

