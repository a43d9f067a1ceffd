"""reseller brand copy (version, logo), editable mail templates, template failures in the log

Revision ID: 0050_templates
Revises: 0010_idem
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0050_templates'
down_revision = '0010_idem'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('branding', sa.Column('version', sa.BigInteger(), nullable=False,
                                        server_default='0'))
    op.add_column('branding', sa.Column('logo_png', sa.LargeBinary(), nullable=True))
    op.add_column('mail', sa.Column('template_error', sa.Text(), nullable=True))
    op.create_table(
        'mail_templates',
        sa.Column('id', sa.String(36), nullable=False),
        # '*' is the system administrator's default; otherwise the reseller's override.
        sa.Column('scope', sa.String(36), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('language', sa.String(2), nullable=False),
        sa.Column('subject', sa.String(300), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_templates')),
        sa.UniqueConstraint('scope', 'kind', 'language', name=op.f('uq_mail_templates_scope')),
    )


def downgrade() -> None:
    op.drop_table('mail_templates')
    op.drop_column('mail', 'template_error')
    op.drop_column('branding', 'logo_png')
    op.drop_column('branding', 'version')
