"""invitations to self-schedule: invitations, rooms, and the attendees of multi-member meetings

Revision ID: 0010
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("pool", sa.String(length=100), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("email"),
    )
    op.create_index("ix_rooms_pool", "rooms", ["pool"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("organizer", sa.String(length=64), nullable=False),
        sa.Column("guest_id", sa.String(length=36), nullable=False),
        sa.Column("guest_name", sa.String(length=200), nullable=False),
        sa.Column("guest_email", sa.String(length=320), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("rooms", sa.JSON(), nullable=False),
        sa.Column("pools", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=False),
        sa.Column("end_date", sa.String(length=10), nullable=False),
        sa.Column("day_start", sa.String(length=5), nullable=False),
        sa.Column("day_end", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_private", sa.Boolean(), nullable=False),
        sa.Column("conferencing", sa.Text(), nullable=False),
        sa.Column("meeting_type", sa.String(length=16), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("guest_timezone", sa.String(length=64), nullable=True),
        sa.Column("promoted", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["guest_id"], ["guests.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_invitations_organizer", "invitations", ["organizer"])
    op.create_index("ix_invitations_conversation_id", "invitations", ["conversation_id"])
    op.create_index("ix_invitations_meeting_id", "invitations", ["meeting_id"])
    op.create_table(
        "meeting_attendees",
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("attendee", sa.String(length=80), nullable=False),
        sa.Column("start_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("calendar_provider", sa.String(length=32), nullable=True),
        sa.Column("calendar_id", sa.String(length=320), nullable=True),
        sa.Column("event_id", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "attendee"),
    )
    op.create_index("ix_meeting_attendees_attendee", "meeting_attendees", ["attendee"])
    if op.get_bind().dialect.name == "postgresql":
        # Every member and room of a meeting: the database refuses two booked overlaps of one attendee.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE meeting_attendees ADD CONSTRAINT meeting_attendees_no_overlap EXCLUDE USING gist "
            "(attendee WITH =, tstzrange(start_at, end_at, '[)') WITH &&) WHERE (status = 'booked')"
        )


def downgrade() -> None:
    op.drop_table("meeting_attendees")
    op.drop_table("invitations")
    op.drop_table("rooms")
