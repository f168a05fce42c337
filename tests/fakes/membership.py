"""Fakes of ``uow.membership`` (links, removals, reactions) and ``uow.digests`` (unread-email state)."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from bot.model import Conversation, DigestState, Guest, Message
from tests.fakes.repositories import _Repos


class FakeMembership(_Repos):
    async def guest_by_email(self, email: str) -> Guest | None:
        proven = [
            g for g in self.st.guests.values() if g.email_proven and (g.email or "").lower() == email.lower()
        ]
        proven.sort(key=lambda g: g.email_proven_at)  # type: ignore[arg-type, return-value]
        return copy.deepcopy(proven[0]) if proven else None

    async def by_link_token(self, token: str, *, for_update: bool = False) -> Conversation | None:
        return next((copy.deepcopy(c) for c in self.st.conversations.values() if c.link_token == token), None)

    async def count(self, conversation_id: str) -> int:
        return len(self.st.members.get(conversation_id, []))

    async def remove(self, conversation_id: str, kind: str, member_id: str) -> None:
        rows = self.st.members.get(conversation_id, [])
        rows[:] = [m for m in rows if (m.kind, m.id) != (kind, member_id)]
        self.st.removals.add((conversation_id, kind, member_id))
        if kind == "guest":  # like the SQL store: the guest's widget gets no more notices
            self.st.bindings[:] = [
                b
                for b in self.st.bindings
                if not (
                    b.conversation_id == conversation_id
                    and b.channel == "web"
                    and b.address.get("guest_id") == member_id
                )
            ]

    async def was_removed(self, conversation_id: str, kind: str, member_id: str) -> bool:
        return (conversation_id, kind, member_id) in self.st.removals

    async def forget_removal(self, conversation_id: str, kind: str, member_id: str) -> None:
        self.st.removals.discard((conversation_id, kind, member_id))

    async def message(self, conversation_id: str, message_id: str) -> Message | None:
        return next(
            (
                copy.deepcopy(m)
                for m in self.st.messages
                if m.id == message_id and m.conversation_id == conversation_id
            ),
            None,
        )

    async def add_reaction(self, message_id: str, member_key: str, emoji: str) -> bool:
        if (message_id, member_key, emoji) in self.st.reactions:
            return False
        self.st.reactions.append((message_id, member_key, emoji))
        return True

    async def remove_reaction(self, message_id: str, member_key: str, emoji: str) -> bool:
        if (message_id, member_key, emoji) not in self.st.reactions:
            return False
        self.st.reactions.remove((message_id, member_key, emoji))
        return True

    async def reactions(
        self, conversation_id: str, *, include_internal: bool = True
    ) -> list[tuple[str, str, str]]:
        shown = {
            m.id
            for m in self.st.messages
            if m.conversation_id == conversation_id and (include_internal or not m.internal)
        }
        return [r for r in self.st.reactions if r[0] in shown]

    async def guest_names(self, conversation_ids: Sequence[str]) -> dict[str, list[str]]:
        found = {
            c: [m.name for m in self.st.members.get(c, []) if m.kind == "guest"] for c in conversation_ids
        }
        return {c: names for c, names in found.items() if names}


class FakeDigests(_Repos):
    async def get(self, kind: str, person_id: str) -> DigestState | None:
        return copy.deepcopy(self.st.digests.get((kind, person_id)))

    async def get_many(self, people: Sequence[tuple[str, str]]) -> dict[tuple[str, str], DigestState]:
        return {p: copy.deepcopy(self.st.digests[p]) for p in people if p in self.st.digests}

    async def existing(self, people: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        return {p for p in people if p in self.st.digests}

    async def save(self, state: DigestState) -> None:
        self.st.digests[(state.person_kind, state.person_id)] = copy.deepcopy(state)

    async def delete(self, kind: str, person_id: str) -> None:
        self.st.digests.pop((kind, person_id), None)
