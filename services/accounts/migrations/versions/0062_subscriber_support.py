"""subscribers: locked settings, direct-access sessions, the append-only audit log

Revision ID: 0060_subscriber
Revises: 0060_lifecycle
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0060_subscriber'
down_revision = '0060_lifecycle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('customers', sa.Column('locked', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column('sessions', sa.Column('support_user_id', sa.String(36), nullable=True))
    op.create_foreign_key('fk_sessions_support_user', 'sessions', 'users',
                          ['support_user_id'], ['id'], ondelete='CASCADE')
    op.create_index('ix_sessions_support_user_id', 'sessions', ['support_user_id'])
    op.create_table(
        'audit_log',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reseller_id', sa.String(36), nullable=False),
        sa.Column('customer_id', sa.String(36), nullable=True),
        sa.Column('customer_name', sa.String(200), nullable=True),
        sa.Column('actor_user_id', sa.String(36), nullable=True),
        sa.Column('actor_name', sa.String(200), nullable=False),
        sa.Column('actor_role', sa.String(20), nullable=False),
        sa.Column('direct_access', sa.Boolean(), nullable=False),
        sa.Column('action', sa.String(40), nullable=False),
        sa.Column('details', postgresql.JSONB(), nullable=False),
    )
    op.create_index('ix_audit_log_reseller_at', 'audit_log', ['reseller_id', 'at', 'id'])
    op.create_index('ix_audit_log_customer_at', 'audit_log', ['customer_id', 'at', 'id'])
    # Append-only in the database itself, whatever the code or a console session tries.
    op.execute("""
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only'
                USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def downgrade() -> None:
    op.drop_table('audit_log')
    op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index('ix_sessions_support_user_id', 'sessions')
    op.drop_constraint('fk_sessions_support_user', 'sessions', type_='foreignkey')
    op.drop_column('sessions', 'support_user_id')
    op.drop_column('customers', 'locked')
