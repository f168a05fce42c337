"""``uow.search``: full-text search over what an agent may see, with the access rule in the query.

Messages and guests (name, email) go through the database's own index (migration 0014): SQLite's
FTS5 tables ``messages_fts`` and ``guests_fts``, PostgreSQL's ``search_vector`` columns (``tsvector``,
GIN). Both match every term as a word prefix. On SQLite a message is indexed within a second of being
written (``storage/search_index.py``); until then ``messages_unindexed`` notes it, and the search reads
those directly and keeps the ones ``bot.search.matches`` accepts, so nothing just written is missed. Meeting subjects are few beside messages, so a ``LIKE``
over the visible conversations' meetings finds them; ``bot.search.matches`` then keeps only word-prefix
matches, as the indexes do. Visibility is ``bot.access.agent_can_see`` written in SQL (``_visible``), the same as
``list_for_agent``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, column, false, func, literal_column, or_, select, table

from bot.search import SearchHit, matches
from storage.models import ConversationRow, GuestRow, MeetingRow, MemberRow, MessageRow
from storage.repositories import _Repo

_messages_fts = table("messages_fts", column("rowid"))
_guests_fts = table("guests_fts", column("rowid"))
_unindexed = table("messages_unindexed", column("message_rowid"))
_NOTED_AT_ONCE = 500  # rowids in one IN list


def _visible(agent_slug: str, services: Sequence[str]) -> ColumnElement[bool]:
    # The agent-member test as a plain IN: both databases compute it once per query (PostgreSQL a
    # hashed subplan) rather than once per candidate conversation, as a correlated EXISTS would.
    c = ConversationRow
    member_of = select(MemberRow.conversation_id).where(
        MemberRow.kind == "agent", MemberRow.member_id == agent_slug
    )
    in_service = c.service.in_(list(services)) if services else false()
    return or_(in_service, c.agent == agent_slug, c.assignee == agent_slug, c.id.in_(member_of))


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SqlSearch(_Repo):
    def _match(self, query: Any, name: str, fts: Any, row: Any, terms: Sequence[str]) -> Any:
        """Rows of table ``name`` holding every term as a word prefix, through its full-text index."""
        if self.s.get_bind().dialect.name == "postgresql":
            tsquery = " & ".join(f"'{t}':*" for t in terms)  # terms are \w+: no quote or operator in them
            return query.select_from(row).where(
                literal_column(f"{name}.search_vector").op("@@")(func.to_tsquery("simple", tsquery))
            )
        match = " ".join(f'"{t}"*' for t in terms)  # \w+ again: no double quote in a term
        query = query.select_from(fts).join(row, literal_column(f"{name}.rowid") == fts.c.rowid)
        return query.where(literal_column(f"{name}_fts").op("MATCH")(match))

    async def search(
        self, terms: Sequence[str], agent_slug: str, services: Sequence[str], *, limit: int = 30
    ) -> list[SearchHit]:
        visible = _visible(agent_slug, services)
        hits = await self._guests(terms, visible, limit)
        hits += await self._meetings(terms, visible, limit)
        hits += await self._messages(terms, visible, limit)
        return hits[:limit]

    async def _messages(self, terms: Sequence[str], visible: Any, limit: int) -> list[SearchHit]:
        m, c = MessageRow, ConversationRow
        columns = select(m.id, m.conversation_id, m.seq, m.text, m.created_at, m.internal, GuestRow.name)
        query = self._match(columns, "messages", _messages_fts, m, terms)
        query = (
            query.join(c, c.id == m.conversation_id)
            .join(GuestRow, GuestRow.id == c.guest_id)
            .where(visible)
            .order_by(m.created_at.desc())
            .limit(limit)
        )
        rows = list(await self.s.execute(query))
        if self.s.get_bind().dialect.name == "sqlite":  # and those not indexed yet (a moment's worth)
            # Their rowids first (usually none: one read of an empty table); joined the other way, the
            # planner scanned every message for them.
            noted = list((await self.s.execute(select(_unindexed.c.message_rowid))).scalars())
            for start in range(0, len(noted), _NOTED_AT_ONCE):
                found = (
                    columns.select_from(m)
                    .join(c, c.id == m.conversation_id)
                    .join(GuestRow, GuestRow.id == c.guest_id)
                    .where(
                        literal_column("messages.rowid").in_(noted[start : start + _NOTED_AT_ONCE]), visible
                    )
                )
                rows += [row for row in await self.s.execute(found) if matches(row[3], terms)]
            rows = sorted(rows, key=lambda row: row[4], reverse=True)[:limit]
        return [
            SearchHit("message", cid, text, at, name, message_id=mid, seq=seq, internal=internal)
            for mid, cid, seq, text, at, internal, name in rows
        ]

    async def _guests(self, terms: Sequence[str], visible: Any, limit: int) -> list[SearchHit]:
        g, c = GuestRow, ConversationRow
        query = self._match(select(c.id, g.name, g.email, c.last_message_at), "guests", _guests_fts, g, terms)
        query = (
            query.join(c, c.guest_id == g.id).where(visible).order_by(c.last_message_at.desc()).limit(limit)
        )
        hits = []
        for cid, name, email, at in await self.s.execute(query):
            text = f"{name} <{email}>" if email else name
            if matches(text, terms):
                hits.append(SearchHit("guest", cid, text, at, name))
        return hits

    async def _meetings(self, terms: Sequence[str], visible: Any, limit: int) -> list[SearchHit]:
        mt, c = MeetingRow, ConversationRow
        query = (
            select(mt.conversation_id, mt.subject, mt.start_at, GuestRow.name)
            .join(c, c.id == mt.conversation_id)
            .join(GuestRow, GuestRow.id == c.guest_id)
            .where(and_(*(func.lower(mt.subject).like(_like(t), escape="\\") for t in terms)), visible)
            .order_by(mt.start_at.desc())
            .limit(limit)
        )
        return [
            SearchHit("meeting", cid, subject, at, name)
            for cid, subject, at, name in await self.s.execute(query)
            if matches(subject, terms)
        ]
