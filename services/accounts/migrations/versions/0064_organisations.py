"""organisations: a reseller's accounts affiliated into one organisation (one directory)

Revision ID: 0061_organisations
Revises: 0060_signup
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0061_organisations'
down_revision = '0060_signup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organisations',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('reseller_id', sa.String(36), sa.ForeignKey('resellers.id'), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False, server_default='1'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index('ix_organisations_reseller_name', 'organisations',
                    ['reseller_id', sa.text('lower(name)')])
    # One column on the account: an account belongs to at most one organisation.
    op.add_column('customers', sa.Column('organisation_id', sa.String(36),
                                         sa.ForeignKey('organisations.id'), nullable=True))
    op.create_index('ix_customers_organisation_id', 'customers', ['organisation_id'])


def downgrade() -> None:
    op.drop_index('ix_customers_organisation_id', table_name='customers')
    op.drop_column('customers', 'organisation_id')
    op.drop_index('ix_organisations_reseller_name', table_name='organisations')
    op.drop_table('organisations')
