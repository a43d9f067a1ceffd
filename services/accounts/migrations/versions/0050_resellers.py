"""resellers: onboarding, settings, support contact, branding, chat, PBX information, wizard

Revision ID: 0050_resellers
Revises: 0020_sec
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0050_resellers'
down_revision = '0020_sec'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add = lambda *a, **k: op.add_column('resellers', sa.Column(*a, **k))  # noqa: E731
    add('slug', sa.String(64), nullable=True)
    add('language', sa.String(2), nullable=False, server_default='fr')
    add('currency', sa.String(3), nullable=False, server_default='CAD')
    add('address', sa.Text(), nullable=True)
    add('phone', sa.String(32), nullable=True)
    add('support_phone', sa.String(32), nullable=True)
    add('support_email', sa.String(254), nullable=True)
    add('portal_name', sa.String(200), nullable=True)
    add('primary_color', sa.String(7), nullable=False, server_default='#1f4fd1')
    add('accent_color', sa.String(7), nullable=False, server_default='#0d1b3e')
    add('host_name', sa.String(253), nullable=True)
    add('chat_provider', sa.String(20), nullable=True)
    add('chat_site_id', sa.String(64), nullable=True)
    add('chat_enabled', sa.Boolean(), nullable=False, server_default='false')
    add('pbx_name', sa.String(100), nullable=True)
    add('sip_domain', sa.String(253), nullable=True)
    add('sip_proxy', sa.String(260), nullable=True)
    add('default_carrier', sa.String(100), nullable=True)
    add('setup_step', sa.String(20), nullable=False, server_default='settings')
    add('version', sa.BigInteger(), nullable=False, server_default='1')
    add('updated_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    # Resellers created before the wizard existed are set up already.
    op.execute("UPDATE resellers SET setup_step = 'done'")
    op.execute("""UPDATE resellers r SET slug = COALESCE(
        (SELECT u.identifier FROM users u WHERE u.reseller_id = r.id AND u.role = 'reseller'
         ORDER BY u.created_at LIMIT 1), r.id)""")
    op.alter_column('resellers', 'slug', nullable=False)
    op.create_unique_constraint(op.f('uq_resellers_slug'), 'resellers', ['slug'])
    op.create_unique_constraint(op.f('uq_resellers_host_name'), 'resellers', ['host_name'])
    op.create_check_constraint(op.f('ck_resellers_status'), 'resellers',
                               "status IN ('active', 'suspended')")
    op.create_index('ix_resellers_name', 'resellers', [sa.text('lower(name)')])
    op.create_table(
        'reseller_images',
        sa.Column('reseller_id', sa.String(36), sa.ForeignKey('resellers.id'), nullable=False),
        sa.Column('kind', sa.String(10), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('mimetype', sa.String(40), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('reseller_id', 'kind', name=op.f('pk_reseller_images')),
        sa.CheckConstraint("kind IN ('logo', 'favicon')", name=op.f('ck_reseller_images_kind')),
    )


def downgrade() -> None:
    op.drop_table('reseller_images')
    op.drop_index('ix_resellers_name', 'resellers')
    op.drop_constraint('ck_resellers_status', 'resellers')
    op.drop_constraint(op.f('uq_resellers_host_name'), 'resellers')
    op.drop_constraint(op.f('uq_resellers_slug'), 'resellers')
    for name in ('slug', 'language', 'currency', 'address', 'phone', 'support_phone',
                 'support_email', 'portal_name', 'primary_color', 'accent_color', 'host_name',
                 'chat_provider', 'chat_site_id', 'chat_enabled', 'pbx_name', 'sip_domain',
                 'sip_proxy', 'default_carrier', 'setup_step', 'version', 'updated_at'):
        op.drop_column('resellers', name)
