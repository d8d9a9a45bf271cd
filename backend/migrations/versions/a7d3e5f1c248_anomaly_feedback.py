"""Anomaly episodes: the household's answer (a lasting change or not) and its note

Revision ID: a7d3e5f1c248
Revises: 5e1a7c3b9d20
Create Date: 2026-12-02 06:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e5f1c248'
down_revision = '5e1a7c3b9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('anomaly_episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lasting_change', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('feedback_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('feedback_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('anomaly_episodes', schema=None) as batch_op:
        batch_op.drop_column('feedback_at')
        batch_op.drop_column('feedback_note')
        batch_op.drop_column('lasting_change')
