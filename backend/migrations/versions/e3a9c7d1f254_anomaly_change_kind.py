"""Usage alerts: what the household said changed for good (an air conditioner, people, another appliance)

Revision ID: e3a9c7d1f254
Revises: b4f1c9e2d835
Create Date: 2026-12-07 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9c7d1f254'
down_revision = 'b4f1c9e2d835'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('anomaly_episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_kind', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('anomaly_episodes', schema=None) as batch_op:
        batch_op.drop_column('change_kind')
