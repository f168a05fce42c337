"""invitation tokens stored hashed; rooms name their calendar (Google resource calendars)

Tokens: the column holds sha256 hex of the link token, never the token.

Existing rows keep working: each plain token is replaced by its hash in place (the links already
mailed still open their invitation, looked up by hash from now on), and the column is renamed so no
code can read it as a token by mistake. A downgrade cannot bring the tokens back: the links of
existing invitations stop working after it.

Revision ID: 0018
Revises: 0010
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0010"  # the invitations table is created there
branch_labels = None
depends_on = None

invitations = sa.table("invitations", sa.column("id", sa.String), sa.column("token", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    for row_id, token in bind.execute(sa.select(invitations.c.id, invitations.c.token)).all():
        hashed = hashlib.sha256(token.encode()).hexdigest()
        bind.execute(sa.update(invitations).where(invitations.c.id == row_id).values(token=hashed))
    # SQLite (3.25+) and PostgreSQL both rename in place; the unique constraint follows the column.
    op.execute("ALTER TABLE invitations RENAME COLUMN token TO token_hash")
    # A room's calendar: google (a resource calendar id), microsoft, local; NULL: from the configuration.
    op.add_column("rooms", sa.Column("provider", sa.String(length=16), nullable=True))
    op.add_column("rooms", sa.Column("calendar_id", sa.String(length=320), nullable=True))


def downgrade() -> None:
    op.drop_column("rooms", "calendar_id")
    op.drop_column("rooms", "provider")
    op.execute("ALTER TABLE invitations RENAME COLUMN token_hash TO token")
