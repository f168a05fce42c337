"""conversation status: open, snoozed (until a UTC time) or resolved, with who resolved it and when

The inbox filters (Mine, Unassigned, All my services, Snoozed, Resolved) read ``status`` with the
service or the assignee, so each gets an index that starts with it.

Revision ID: 0016
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0016"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="open"))
        batch.add_column(sa.Column("snoozed_until", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("resolved_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(64), nullable=True))
    op.create_index(
        "ix_conversations_service_status", "conversations", ["service", "status", "last_message_at"]
    )
    op.create_index("ix_conversations_assignee_status", "conversations", ["assignee", "status"])


def downgrade() -> None:
    op.drop_index("ix_conversations_assignee_status", "conversations")
    op.drop_index("ix_conversations_service_status", "conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("resolved_by")
        batch.drop_column("resolved_at")
        batch.drop_column("snoozed_until")
        batch.drop_column("status")
