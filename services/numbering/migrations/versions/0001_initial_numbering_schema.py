"""initial numbering schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customers',
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customers'))
    )
    op.create_index(op.f('ix_customers_reseller_id'), 'customers', ['reseller_id'], unique=False)
    op.create_table('import_rejections',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('import_id', sa.BigInteger(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_rejections'))
    )
    op.create_index(op.f('ix_import_rejections_import_id'), 'import_rejections', ['import_id'], unique=False)
    op.create_table('imports',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='running', nullable=False),
    sa.Column('lines_read', sa.Integer(), server_default='0', nullable=False),
    sa.Column('added', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rejected', sa.Integer(), server_default='0', nullable=False),
    sa.Column('bytes_total', sa.BigInteger(), nullable=True),
    sa.Column('bytes_read', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    op.create_index(op.f('ix_imports_reseller_id'), 'imports', ['reseller_id'], unique=False)
    op.create_table('number_history',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('e164', sa.String(length=16), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('actor_user_id', sa.String(length=36), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_number_history'))
    )
    op.create_index('ix_number_history_e164', 'number_history', ['e164', 'id'], unique=False)
    op.create_table('numbers',
    sa.Column('e164', sa.String(length=16), nullable=False),
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('area_code', sa.String(length=8), server_default='', nullable=False),
    sa.Column('number_type', sa.String(length=24), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('import_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(state IN ('assigned', 'reserved')) = (customer_id IS NOT NULL)", name=op.f('ck_numbers_holder')),
    sa.CheckConstraint("state IN ('available', 'reserved', 'assigned', 'aging')", name=op.f('ck_numbers_state')),
    sa.PrimaryKeyConstraint('e164', name=op.f('pk_numbers'))
    )
    op.create_index('ix_numbers_aging', 'numbers', ['available_at'], unique=False, postgresql_where="state = 'aging'")
    op.create_index('ix_numbers_customer', 'numbers', ['customer_id', 'e164'], unique=False)
    op.create_index('ix_numbers_pool', 'numbers', ['reseller_id', 'state', 'country', 'e164'], unique=False)
    op.create_index('ix_numbers_reseller_e164', 'numbers', ['reseller_id', 'e164'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    op.create_table('pool_settings',
    sa.Column('reseller_id', sa.String(length=36), nullable=False),
    sa.Column('aging_days', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('reseller_id', name=op.f('pk_pool_settings'))
    )
    op.create_table('processed_events',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', 'consumer', name=op.f('pk_processed_events'))
    )


def downgrade() -> None:
    op.drop_table('processed_events')
    op.drop_table('pool_settings')
    op.drop_table('outbox')
    op.drop_index('ix_numbers_reseller_e164', table_name='numbers')
    op.drop_index('ix_numbers_pool', table_name='numbers')
    op.drop_index('ix_numbers_customer', table_name='numbers')
    op.drop_index('ix_numbers_aging', table_name='numbers', postgresql_where="state = 'aging'")
    op.drop_table('numbers')
    op.drop_index('ix_number_history_e164', table_name='number_history')
    op.drop_table('number_history')
    op.drop_index(op.f('ix_imports_reseller_id'), table_name='imports')
    op.drop_table('imports')
    op.drop_index(op.f('ix_import_rejections_import_id'), table_name='import_rejections')
    op.drop_table('import_rejections')
    op.drop_index(op.f('ix_customers_reseller_id'), table_name='customers')
    op.drop_table('customers')
