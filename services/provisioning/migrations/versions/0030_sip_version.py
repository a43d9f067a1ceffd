"""devices.sip_version: the version sip_credentials_changed carries

routing_policy keeps a copy of each line's SIP credentials (HA1 per realm); the version
lets it ignore an event older than what it holds.

Revision ID: 0030_sip
Revises: 0020_sec
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0030_sip'
down_revision = '0020_sec'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('devices', sa.Column('sip_version', sa.BigInteger(), server_default='1',
                                       nullable=False))


def downgrade() -> None:
    op.drop_column('devices', 'sip_version')
