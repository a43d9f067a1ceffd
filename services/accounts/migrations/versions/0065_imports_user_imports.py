"""imports of a company's users from Google Workspace, Microsoft 365 and BroadWorks exports

Revision ID: 0070_imports_user_imports
Revises: 0061_organisations
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0070_imports_user_imports'
down_revision = '0061_organisations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_imports',
        sa.Column('id', sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column('reseller_id', sa.String(36), sa.ForeignKey('resellers.id'), nullable=False),
        sa.Column('created_by', sa.String(36), nullable=False),
        sa.Column('customer_id', sa.String(36), sa.ForeignKey('customers.id'), nullable=True),
        sa.Column('new_account_name', sa.String(200), nullable=True),
        sa.Column('country', sa.String(2), nullable=False),
        sa.Column('format', sa.String(20), nullable=True),
        sa.Column('forced_format', sa.String(20), nullable=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('bytes_total', sa.BigInteger(), nullable=True),
        sa.Column('bytes_read', sa.BigInteger(), nullable=False, server_default='0'),
        sa.Column('chunks', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('rows_read', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('preview_percent', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('rows_applied', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('to_apply', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('counts', JSONB(), nullable=False, server_default='{}'),
        sa.Column('applied', JSONB(), nullable=False, server_default='{}'),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column('fed_at', sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('receiving', 'previewing', 'ready', 'applying', 'done', "
                           "'failed', 'expired')", name=op.f('ck_user_imports_status')),
    )
    op.create_index('ix_user_imports_reseller', 'user_imports', ['reseller_id', 'created_at'])
    op.create_index('ix_user_imports_work', 'user_imports', ['status'],
                    postgresql_where=sa.text("status IN ('previewing', 'applying')"))
    op.create_table(
        'user_import_chunks',
        sa.Column('import_id', sa.BigInteger(),
                  sa.ForeignKey('user_imports.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('seq', sa.Integer(), primary_key=True),
        sa.Column('data', sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        'user_import_rows',
        sa.Column('import_id', sa.BigInteger(),
                  sa.ForeignKey('user_imports.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('line', sa.Integer(), primary_key=True),
        sa.Column('outcome', sa.String(12), nullable=False),
        sa.Column('reason', sa.String(40), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('email', sa.String(254), nullable=False, server_default=''),
        sa.Column('first_name', sa.String(200), nullable=False, server_default=''),
        sa.Column('last_name', sa.String(200), nullable=False, server_default=''),
        sa.Column('display_name', sa.String(200), nullable=False, server_default=''),
        sa.Column('department', sa.String(200), nullable=False, server_default=''),
        sa.Column('external_id', sa.String(200), nullable=False, server_default=''),
        sa.Column('extension', sa.String(6), nullable=True),
        sa.Column('phone', sa.String(200), nullable=False, server_default=''),
        sa.Column('number', sa.String(16), nullable=True),
        sa.Column('number_status', sa.String(12), nullable=True),
        sa.Column('notes', JSONB(), nullable=False, server_default='[]'),
        sa.Column('applied', sa.String(12), nullable=True),
        sa.Column('user_id', sa.String(36), nullable=True),
    )
    op.create_index('ix_user_import_rows_outcome', 'user_import_rows',
                    ['import_id', 'outcome', 'line'])


def downgrade() -> None:
    op.drop_table('user_import_rows')
    op.drop_table('user_import_chunks')
    op.drop_table('user_imports')
