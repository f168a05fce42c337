"""guest sequence: guests number only the messages they see, so internal notes leave no trace

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("guest_seq", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("messages", sa.Column("guest_seq", sa.Integer(), nullable=True))
    op.create_index("ix_messages_guest_seq", "messages", ["conversation_id", "guest_seq"])
    # Existing messages: each visible one's place among the visible ones of its conversation.
    op.execute(
        """
        UPDATE messages SET guest_seq = (
            SELECT count(*) FROM messages AS earlier
            WHERE earlier.conversation_id = messages.conversation_id
              AND earlier.internal = false AND earlier.seq <= messages.seq
        )
        WHERE internal = false
        """
    )
    op.execute(
        """
        UPDATE conversations SET guest_seq = (
            SELECT count(*) FROM messages
            WHERE messages.conversation_id = conversations.id AND messages.internal = false
        )
        """
    )


def downgrade() -> None:
    op.drop_index("ix_messages_guest_seq", table_name="messages")
    op.drop_column("messages", "guest_seq")
    op.drop_column("conversations", "guest_seq")
