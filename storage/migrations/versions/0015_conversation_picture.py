"""conversation picture: a conversation's own avatar, shown with its own title

Revision ID: 0015
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("picture", sa.String(500), nullable=True))


def downgrade() -> None:
    op.drop_column("conversations", "picture")
