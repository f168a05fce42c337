"""outbox: the by-conversation index holds only the events not yet delivered

``ix_outbox_conversation`` (conversation, dispatched_at) answered one question, which older notices of
a conversation are still on their way (``older_pending``), yet held every event ever written, so each
batch of messages touched a page of it per conversation, twice: when the events were written and when
they were delivered (issue 17). The partial index ``ix_outbox_pending_by_conversation`` holds only the
events with no ``dispatched_at``: a handful of pages, the same ones batch after batch.

Revision ID: 0026
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0007"  # the last migration touching the outbox table
branch_labels = None
depends_on = None

_PENDING = sa.text("dispatched_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_outbox_conversation", "outbox")
    op.create_index(
        "ix_outbox_pending_by_conversation",
        "outbox",
        ["conversation_id", "id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_pending_by_conversation", "outbox")
    op.create_index("ix_outbox_conversation", "outbox", ["conversation_id", "dispatched_at"])
