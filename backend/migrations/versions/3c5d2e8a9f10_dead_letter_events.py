"""dead-letter events: a broker event the consumer could not store, kept with the reason

Revision ID: 3c5d2e8a9f10
Revises: 2d9093b58d67
Create Date: 2026-12-01 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c5d2e8a9f10'
down_revision = '2d9093b58d67'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dead_letter_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=200), nullable=False),
    sa.Column('event_kind', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dead_letter_events')),
    sa.UniqueConstraint('source', 'event_id', name=op.f('uq_dead_letter_events_source'))
    )
    with op.batch_alter_table('dead_letter_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dead_letter_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dead_letter_events_sender_id'), ['sender_id'], unique=False)


def downgrade():
    with op.batch_alter_table('dead_letter_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dead_letter_events_sender_id'))
        batch_op.drop_index(batch_op.f('ix_dead_letter_events_created_at'))
    op.drop_table('dead_letter_events')
