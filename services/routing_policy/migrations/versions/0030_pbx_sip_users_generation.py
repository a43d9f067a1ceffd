"""SIP users (HA1 per realm, from provisioning) and the cache generation counter

The direct PBX server authenticates phones with the HA1 of their line; every replica keeps
the SIP users in memory. The generation counter lets a replica that missed a broadcast
notice it within seconds instead of waiting for the periodic full reload.

Revision ID: 0030_pbx
Revises: 0010_idem
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0030_pbx'
down_revision = '0010_idem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sip_users',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('reseller_id', sa.String(length=36), nullable=False),
        sa.Column('customer_id', sa.String(length=36), nullable=False),
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('caller_id', sa.String(length=16), nullable=True),
        sa.Column('ha1', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('deleted', sa.Boolean(), server_default='false', nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_sip_users')),
    )
    op.create_index(op.f('ix_sip_users_customer_id'), 'sip_users', ['customer_id'])
    op.create_table(
        'cache_generation',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_cache_generation_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_generation')),
    )
    op.execute("INSERT INTO cache_generation (id, value) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table('cache_generation')
    op.drop_index(op.f('ix_sip_users_customer_id'), table_name='sip_users')
    op.drop_table('sip_users')
