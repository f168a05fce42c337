"""SQLite: a new message is indexed for search shortly after it is written, not inside its commit

Indexing a message in FTS5 (its words and their prefixes, then FTS5's segment merges at each commit)
was the largest single cost of writing one under load (issue 17). The insert trigger now only notes
the message's rowid in ``messages_unindexed``; ``storage/search_index.py`` indexes what is noted, many
messages at a time, in a thread of the serving process, and ``uow.search`` reads the few still noted
directly, so a search never misses a message. An update or delete of a message still noted leaves the
index alone (it never held that message); of one indexed, it removes the old text as before.
PostgreSQL's generated ``tsvector`` column is unchanged.

Revision ID: 0025
Revises: 0014
"""

from alembic import op

revision = "0025"
down_revision = "0014"  # the migration that made the full-text index and its triggers
branch_labels = None
depends_on = None

_NOTED = "EXISTS (SELECT 1 FROM messages_unindexed WHERE message_rowid = old.rowid)"
_UPGRADE = [
    "CREATE TABLE messages_unindexed (message_rowid INTEGER PRIMARY KEY)",
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_unindexed(message_rowid) VALUES (new.rowid); END",
    # One trigger, in this order: the index forgets only what it holds, then the note goes.
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    f"INSERT INTO messages_fts(messages_fts, rowid, text) SELECT 'delete', old.rowid, old.text WHERE NOT {_NOTED}; "
    "DELETE FROM messages_unindexed WHERE message_rowid = old.rowid; END",
    f"CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages WHEN NOT {_NOTED} BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO messages_unindexed(message_rowid) VALUES (new.rowid); END",
]
_DOWNGRADE = [
    "INSERT INTO messages_fts(rowid, text) SELECT m.rowid, m.text FROM messages_unindexed u "
    "JOIN messages m ON m.rowid = u.message_rowid",
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "DROP TABLE messages_unindexed",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text); END",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _DOWNGRADE:
            op.execute(statement)
