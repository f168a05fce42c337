"""where a conversation came from, and each agent's notification preferences

``conversations.origin`` (widget, personal_link, invitation, assistant, agent) and ``origin_url`` (the
page the widget was embedded in, or the personal link's page); ``guests.page_url``: the page a guest
session started on, for the conversations it starts later. ``agent_preferences``: which notices also
go to Slack or Teams as a direct message, and whether unread-message emails are wanted.

Revision ID: 0019
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0019"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("origin", sa.String(16), nullable=True))
    op.add_column("conversations", sa.Column("origin_url", sa.String(2000), nullable=True))
    op.add_column("guests", sa.Column("page_url", sa.String(2000), nullable=True))
    op.create_table(
        "agent_preferences",
        sa.Column("agent_slug", sa.String(64), primary_key=True),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agent_preferences")
    with op.batch_alter_table("guests") as batch_op:
        batch_op.drop_column("page_url")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_column("origin_url")
        batch_op.drop_column("origin")
