"""identity and tokens: proven guest addresses, tokens that end, removals, mail to unproven addresses

Revision ID: 0008
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = storage.types.UTCDateTime(timezone=True)
    op.add_column("tokens", sa.Column("last_used_at", when, nullable=True))
    op.add_column("guests", sa.Column("email_proven_at", when, nullable=True))
    # Who wrote the address: "guest" (typed into the widget) or "agent" (an agent invited it).
    op.add_column(
        "guests", sa.Column("email_origin", sa.String(length=8), nullable=False, server_default="guest")
    )
    op.create_table(
        "conversation_removals",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("removed_at", when, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "kind", "member_id"),
    )
    op.create_table(
        "unproven_mail",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guest_id", sa.String(length=36), nullable=False),
        sa.Column("sent_at", when, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unproven_mail_guest", "unproven_mail", ["guest_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_unproven_mail_guest", table_name="unproven_mail")
    op.drop_table("unproven_mail")
    op.drop_table("conversation_removals")
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.drop_column("email_origin")
        batch_op.drop_column("email_proven_at")
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
