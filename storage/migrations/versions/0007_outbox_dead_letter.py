"""outbox dead letters: an event whose delivery can never succeed stops being retried

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("failed_at", storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
