"""attachments: files (pictures, PDFs) attached to messages; the bytes live under the data folder

Revision ID: 0017
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0017"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("message_id", sa.String(36), sa.ForeignKey("messages.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_attachments_message", "attachments", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_attachments_message", table_name="attachments")
    op.drop_table("attachments")
