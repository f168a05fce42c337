"""inbox search, saved replies and contact notes

Messages and guests (name, email) are indexed by the database itself, so every write path keeps
the index in step without knowing it: SQLite an external-content FTS5 table kept by triggers;
PostgreSQL a generated ``tsvector`` column with a GIN index.

Revision ID: 0014
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5("
    "text, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text); END",
    # Guests by name and email: unicode61 splits an address at '@' and '.', so its parts are words.
    "CREATE VIRTUAL TABLE guests_fts USING fts5("
    "name, email, content='guests', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')",
    "INSERT INTO guests_fts(guests_fts) VALUES ('rebuild')",
    "CREATE TRIGGER guests_fts_insert AFTER INSERT ON guests BEGIN "
    "INSERT INTO guests_fts(rowid, name, email) VALUES (new.rowid, new.name, new.email); END",
    "CREATE TRIGGER guests_fts_delete AFTER DELETE ON guests BEGIN "
    "INSERT INTO guests_fts(guests_fts, rowid, name, email) VALUES ('delete', old.rowid, old.name, old.email); END",
    "CREATE TRIGGER guests_fts_update AFTER UPDATE OF name, email ON guests BEGIN "
    "INSERT INTO guests_fts(guests_fts, rowid, name, email) VALUES ('delete', old.rowid, old.name, old.email); "
    "INSERT INTO guests_fts(rowid, name, email) VALUES (new.rowid, new.name, new.email); END",
]
_POSTGRES = [
    "ALTER TABLE messages ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED",
    "CREATE INDEX ix_messages_search ON messages USING gin (search_vector)",
    # The 'simple' parser keeps an address whole; spaces for its punctuation make its parts words.
    "ALTER TABLE guests ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', "
    "name || ' ' || translate(coalesce(email, ''), '@.+-_', '     '))) STORED",
    "CREATE INDEX ix_guests_search ON guests USING gin (search_vector)",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES if dialect == "postgresql" else _SQLITE if dialect == "sqlite" else []:
        op.execute(statement)
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_saved_replies_agent", "saved_replies", ["agent"])
    op.create_index("ix_saved_replies_service", "saved_replies", ["service"])
    op.create_table(
        "contact_notes",
        sa.Column("guest_id", sa.String(length=36), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guest_id"),
    )


def downgrade() -> None:
    op.drop_table("contact_notes")
    op.drop_index("ix_saved_replies_service", "saved_replies")
    op.drop_index("ix_saved_replies_agent", "saved_replies")
    op.drop_table("saved_replies")
    dialect = op.get_bind().dialect.name
    for table in ("messages", "guests"):
        if dialect == "postgresql":
            op.execute(f"DROP INDEX ix_{table}_search")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        elif dialect == "sqlite":
            for name in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_fts_{name}")
            op.execute(f"DROP TABLE {table}_fts")
