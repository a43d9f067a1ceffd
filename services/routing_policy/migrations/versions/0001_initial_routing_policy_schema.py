"""initial routing_policy schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('caller_numbers',
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_caller_numbers'))
    )
    op.create_index(op.f('ix_caller_numbers_customer_id'), 'caller_numbers', ['customer_id'], unique=False)
    op.create_table('customers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    op.create_index(op.f('ix_customers_reseller_id'), 'customers', ['reseller_id'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    op.create_table('pbx_tokens',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pbx_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pbx_tokens_token_hash'))
    )
    op.create_table('processed_events',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', 'consumer', name=op.f('pk_processed_events'))
    )
    op.create_table('reseller_policies',
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('default_action', sa.String(length=5), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("default_action IN ('allow', 'deny')", name=op.f('ck_reseller_policies_default_action')),
    sa.PrimaryKeyConstraint('reseller_id', name=op.f('pk_reseller_policies'))
    )
    op.create_table('rules',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=5), nullable=False),
    sa.Column('match', sa.String(length=12), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("action IN ('allow', 'deny')", name=op.f('ck_rules_action')),
    sa.CheckConstraint("match IN ('destination', 'prefix', 'country', 'category')", name=op.f('ck_rules_match')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules'))
    )
    op.create_index(op.f('ix_rules_customer_id'), 'rules', ['customer_id'], unique=False)
    op.create_index('uq_rules_scope_match_value', 'rules', ['reseller_id', sa.literal_column("coalesce(customer_id, '')"), 'match', 'value'], unique=True)



def downgrade() -> None:

    op.drop_index('uq_rules_scope_match_value', table_name='rules')
    op.drop_index(op.f('ix_rules_customer_id'), table_name='rules')
    op.drop_table('rules')
    op.drop_table('reseller_policies')
    op.drop_table('processed_events')
    op.drop_table('pbx_tokens')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_customers_reseller_id'), table_name='customers')
    op.drop_table('customers')
    op.drop_index(op.f('ix_caller_numbers_customer_id'), table_name='caller_numbers')
    op.drop_table('caller_numbers')

