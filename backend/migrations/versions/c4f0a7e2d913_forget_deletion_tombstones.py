"""forget: deletion tombstones (forgotten_senders)

Revision ID: c4f0a7e2d913
Revises: c4d1e2f3a4b5
Create Date: 2026-12-01 23:50:00.000000

Keyed hashes of deleted chat senders, so the conversation consumer skips and the purge job
removes the events Rasa writes back after a deletion (issue 18, "Forgetting, for real").

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f0a7e2d913'
down_revision = 'c4d1e2f3a4b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forgotten_senders',
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=False),
    sa.Column('covers_until', sa.DateTime(), nullable=False),
    sa.Column('tracker_after', sa.Integer(), nullable=False),
    sa.Column('events_after', sa.Integer(), nullable=False),
    sa.Column('settled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('subject', name=op.f('pk_forgotten_senders'))
    )
    with op.batch_alter_table('forgotten_senders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forgotten_senders_settled_at'), ['settled_at'], unique=False)


def downgrade():
    with op.batch_alter_table('forgotten_senders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forgotten_senders_settled_at'))
    op.drop_table('forgotten_senders')
