"""Zalo link codes: wrong guesses per code and failed attempts per sender (keyed hash)

Revision ID: c4d1e2f3a4b5
Revises: b9e8ba3a0d29
Create Date: 2026-12-01 23:59:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d1e2f3a4b5'
down_revision = 'b9e8ba3a0d29'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('zalo_link_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrong_guesses', sa.Integer(), server_default='0', nullable=False))
    op.create_table('zalo_link_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zalo_link_failures'))
    )
    with op.batch_alter_table('zalo_link_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zalo_link_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_zalo_link_failures_sender_key'), ['sender_key'], unique=False)


def downgrade():
    with op.batch_alter_table('zalo_link_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zalo_link_failures_sender_key'))
        batch_op.drop_index(batch_op.f('ix_zalo_link_failures_at'))
    op.drop_table('zalo_link_failures')
    with op.batch_alter_table('zalo_link_codes', schema=None) as batch_op:
        batch_op.drop_column('wrong_guesses')
