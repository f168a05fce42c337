"""unread-message email state per person, across conversations (replaces email_digests)

Revision ID: 0011
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = "0003"


def upgrade() -> None:
    op.create_table(
        "unread_emails",
        sa.Column("person_kind", sa.String(length=8), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("pending_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sends", sa.JSON(), nullable=False),
        sa.Column("conversations", sa.JSON(), nullable=False),
        sa.Column("unsubscribed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_kind", "person_id"),
    )
    # The per-conversation state cannot be carried over (it counted emails per conversation); the
    # per-person jobs re-arm with the next message. Old jobs still run: their payload names the person.
    op.drop_table("email_digests")


def downgrade() -> None:
    op.create_table(
        "email_digests",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("member_kind", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("emailed_seq", sa.Integer(), nullable=False),
        sa.Column("pending_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sends", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "member_kind", "member_id"),
    )
    op.drop_table("unread_emails")
