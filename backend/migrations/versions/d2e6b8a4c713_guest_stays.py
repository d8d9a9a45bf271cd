"""Guest stays: days a household announced would not be its normal use

Revision ID: d2e6b8a4c713
Revises: a7d3e5f1c248
Create Date: 2026-12-06 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2e6b8a4c713'
down_revision = 'a7d3e5f1c248'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'guest_stays',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.String(length=64), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_guest_stays_household_id_households'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_stays')),
    )
    with op.batch_alter_table('guest_stays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guest_stays_household_id'), ['household_id'], unique=False)


def downgrade():
    with op.batch_alter_table('guest_stays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guest_stays_household_id'))
    op.drop_table('guest_stays')
