"""lifecycle: the archived status, trial reminders recorded once, indexes for the timers

Revision ID: 0060_lifecycle
Revises: 0060_users_account_users
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0060_lifecycle'
down_revision = '0060_users_account_users'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f('ck_customers_status'), 'customers', type_='check')
    op.create_check_constraint(
        op.f('ck_customers_status'), 'customers',
        "status IN ('trial', 'production', 'suspended', 'closed', 'archived')")
    op.create_index('ix_customers_status_trial_ends', 'customers', ['status', 'trial_ends_at'])
    op.create_index('ix_customers_status_closed', 'customers', ['status', 'closed_at'])
    op.create_table(
        'trial_reminders',
        sa.Column('customer_id', sa.String(36), sa.ForeignKey('customers.id',
                  name=op.f('fk_trial_reminders_customer_id_customers')), nullable=False),
        sa.Column('reminder', sa.String(10), nullable=False),
        sa.Column('trial_ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('customer_id', 'reminder', 'trial_ends_at',
                                name=op.f('pk_trial_reminders')),
    )


def downgrade() -> None:
    op.drop_table('trial_reminders')
    op.drop_index('ix_customers_status_closed', 'customers')
    op.drop_index('ix_customers_status_trial_ends', 'customers')
    op.execute("UPDATE customers SET status = 'closed' WHERE status = 'archived'")
    op.drop_constraint(op.f('ck_customers_status'), 'customers', type_='check')
    op.create_check_constraint(
        op.f('ck_customers_status'), 'customers',
        "status IN ('trial', 'production', 'suspended', 'closed')")
