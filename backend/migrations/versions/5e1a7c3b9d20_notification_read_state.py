"""Notifications: read state of the household's in-app inbox

Revision ID: 5e1a7c3b9d20
Revises: cfe26ef231e2
Create Date: 2026-12-02 03:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c3b9d20'
down_revision = 'cfe26ef231e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('read_at')
