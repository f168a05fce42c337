"""messages: no index of guest numbers

``ix_messages_guest_seq`` (conversation, guest_seq) served two reads, a guest's read marker turned into
everyone's numbering and back, while every message written paid for an entry in it: a page of it per
conversation in each batch's commit, a sixth of the pages the commit writes (issue 17). Guest numbers
grow with ``seq``, so both reads now walk the conversation's ``seq`` index backwards
(``storage/conversations.py``), where the messages they are about are.

Revision ID: 0027
Revises: 0025
"""

from alembic import op

revision = "0027"
down_revision = "0025"  # the last migration touching the messages table
branch_labels = None
depends_on = "0005"  # which made the index


def upgrade() -> None:
    op.drop_index("ix_messages_guest_seq", table_name="messages")


def downgrade() -> None:
    op.create_index("ix_messages_guest_seq", "messages", ["conversation_id", "guest_seq"])
