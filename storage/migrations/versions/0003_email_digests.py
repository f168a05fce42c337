"""email digest state per conversation member

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_table("email_digests")
