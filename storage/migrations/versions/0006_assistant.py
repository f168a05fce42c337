"""the assistant: conversations' own addresses and the calendar meetings they follow

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistant_conversations",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("organizer", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("conversation_id"),
        sa.UniqueConstraint("token"),
    )
    op.create_table(
        "calendar_meetings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("uid", sa.String(length=500), nullable=False),
        sa.Column("instance", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("start_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("organizer", sa.String(length=64), nullable=False),
        sa.Column("organizer_email", sa.String(length=320), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("join_url", sa.String(length=1000), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("exdates", sa.JSON(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("reminder_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid", "instance"),
    )
    op.create_index("ix_calendar_meetings_conversation_id", "calendar_meetings", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_calendar_meetings_conversation_id", table_name="calendar_meetings")
    op.drop_table("calendar_meetings")
    op.drop_table("assistant_conversations")
