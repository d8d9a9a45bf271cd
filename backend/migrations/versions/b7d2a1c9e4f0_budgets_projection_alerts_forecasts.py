"""budgets, projected-bill alert state and weather forecasts

Revision ID: b7d2a1c9e4f0
Revises: 3c5d2e8a9f10
Create Date: 2026-12-02 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2a1c9e4f0'
down_revision = '3c5d2e8a9f10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budgets',
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('kwh', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_budgets_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_budgets'))
    )
    op.create_table('projection_alerts',
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('projected_amount', sa.Integer(), nullable=False),
    sa.Column('projected_tier', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_projection_alerts_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id', 'period_start', 'kind', name=op.f('pk_projection_alerts'))
    )
    op.create_table('weather_forecasts',
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('mean_temp_c', sa.Float(), nullable=False),
    sa.Column('max_temp_c', sa.Float(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('province_code', 'day', name=op.f('pk_weather_forecasts'))
    )


def downgrade():
    op.drop_table('weather_forecasts')
    op.drop_table('projection_alerts')
    op.drop_table('budgets')
