"""Usage alerts: the day the household said it had put the cause right

Revision ID: b4f1c9e2d835
Revises: d2e6b8a4c713
Create Date: 2026-12-07 09:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4f1c9e2d835'
down_revision = 'd2e6b8a4c713'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('anomaly_episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repaired_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('anomaly_episodes', schema=None) as batch_op:
        batch_op.drop_column('repaired_on')
