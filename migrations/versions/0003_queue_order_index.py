"""An index in the queue's own order: urgent first, then the oldest, with the status.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 14:30:00

The queue sorted every open story for each page (bench/bench_queue.py at 100,000 stories);
with this index a page is an index range. Alembic does not compare expression indexes, so
this one is written by hand.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_submission_queue_order',
        'submission',
        [sa.text('urgency DESC'), 'created_at', 'id', 'status'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_submission_queue_order', table_name='submission')
