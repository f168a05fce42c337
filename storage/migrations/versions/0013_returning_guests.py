"""returning guests: the service a guest first wrote to, so they continue there after a reassignment

Revision ID: 0013
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("first_service", sa.String(length=64), nullable=True))
    # Existing conversations: the service they are routed to now is the best record there is.
    op.execute("UPDATE conversations SET first_service = service WHERE agent IS NULL")
    op.create_index("ix_conversations_guest_first_service", "conversations", ["guest_id", "first_service"])


def downgrade() -> None:
    op.drop_index("ix_conversations_guest_first_service", table_name="conversations")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("first_service")
