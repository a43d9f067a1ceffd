"""reseller SIP servers: each reseller's SIP domain and outbound proxy, from accounts' events

Revision ID: 0050_sip_servers
Revises: 0030_sip
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0050_sip_servers'
down_revision = '0030_sip'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reseller_sip_servers',
        sa.Column('reseller_id', sa.String(36), nullable=False),
        sa.Column('sip_domain', sa.String(253), nullable=True),
        sa.Column('sip_proxy', sa.String(260), nullable=True),
        sa.Column('version', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.PrimaryKeyConstraint('reseller_id', name=op.f('pk_reseller_sip_servers')),
    )


def downgrade() -> None:
    op.drop_table('reseller_sip_servers')
