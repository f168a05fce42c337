"""``uow.search``: full-text search over what an agent may see, with the access rule in the query.

Messages go through the database's own index (migration 0014): SQLite's FTS5 table ``messages_fts``,
PostgreSQL's ``messages.search_vector`` (``tsvector``, GIN). Both match every term as a word prefix.
Guest names and emails and meeting subjects are short and one per conversation, so a ``LIKE`` over the
visible conversations finds them; ``bot.search.matches`` then keeps only word-prefix matches, as the
indexes do. Visibility is ``bot.access.agent_can_see`` written in SQL (``_visible``), the same as
``list_for_agent``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, column, false, func, literal_column, or_, select, table

from bot.search import SearchHit, matches
from storage.models import ConversationRow, GuestRow, MeetingRow, MemberRow, MessageRow
from storage.repositories import _Repo

_fts = table("messages_fts", column("rowid"))


def _visible(agent_slug: str, services: Sequence[str]) -> ColumnElement[bool]:
    c = ConversationRow
    is_member = (
        select(MemberRow.member_id)
        .where(MemberRow.conversation_id == c.id, MemberRow.kind == "agent")
        .where(MemberRow.member_id == agent_slug)
        .exists()
    )
    in_service = c.service.in_(list(services)) if services else false()
    return or_(in_service, c.agent == agent_slug, c.assignee == agent_slug, is_member)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SqlSearch(_Repo):
    def _dialect(self) -> str:
        return self.s.get_bind().dialect.name

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
        query = select(m.id, m.conversation_id, m.seq, m.text, m.created_at, m.internal, GuestRow.name)
        if self._dialect() == "postgresql":
            tsquery = " & ".join(f"'{t}':*" for t in terms)  # terms are \w+: no quote or operator in them
            query = query.where(
                literal_column("messages.search_vector").op("@@")(func.to_tsquery("simple", tsquery))
            )
        else:
            match = " ".join(f'"{t}"*' for t in terms)  # \w+ again: no double quote in a term
            query = query.select_from(_fts).join(m, literal_column("messages.rowid") == _fts.c.rowid)
            query = query.where(literal_column("messages_fts").op("MATCH")(match))
        query = (
            query.join(c, c.id == m.conversation_id)
            .join(GuestRow, GuestRow.id == c.guest_id)
            .where(visible)
            .order_by(m.created_at.desc())
            .limit(limit)
        )
        return [
            SearchHit("message", cid, text, at, name, message_id=mid, seq=seq, internal=internal)
            for mid, cid, seq, text, at, internal, name in await self.s.execute(query)
        ]

    async def _guests(self, terms: Sequence[str], visible: Any, limit: int) -> list[SearchHit]:
        g, c = GuestRow, ConversationRow
        label = g.name + " " + func.coalesce(g.email, "")
        query = (
            select(c.id, g.name, g.email, c.last_message_at)
            .join(g, g.id == c.guest_id)
            .where(and_(*(func.lower(label).like(_like(t), escape="\\") for t in terms)), visible)
            .order_by(c.last_message_at.desc())
            .limit(limit)
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
