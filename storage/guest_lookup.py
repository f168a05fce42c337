"""Which conversation a guest's message to a service or an agent continues (``find_for_guest``):
the statements, built once with bind parameters, because every guest's first message runs one twice
(the batcher's look-up, then the handler's, in the write transaction).

With a service: the one the service routes now, or the one the guest first wrote to it (moved since),
never one an agent created. With an agent: a conversation with the agent directly, one the agent was
assigned, or one they are a member of; a direct one wins, then an assigned one. The oldest first.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, case, or_, select

from storage.models import ConversationRow, MemberRow

_conversations = ConversationRow.__table__
_members_table = MemberRow.__table__

FOR_GUEST_SERVICE = (
    select(*_conversations.c)
    .where(
        _conversations.c.guest_id == bindparam("guest_id"),
        or_(
            _conversations.c.first_service == bindparam("service"),
            # moved here since; never one an agent created (no first service)
            and_(
                _conversations.c.service == bindparam("service"),
                _conversations.c.first_service.is_not(None),
            ),
        ),
        _conversations.c.agent.is_(None),
    )
    .order_by(
        case((_conversations.c.first_service == bindparam("service"), 0), else_=1),
        _conversations.c.created_at,
    )
    .limit(1)
)
_IS_AGENT_MEMBER = (
    select(_members_table.c.member_id)
    .where(
        _members_table.c.conversation_id == _conversations.c.id,
        _members_table.c.kind == "agent",
        _members_table.c.member_id == bindparam("agent"),
    )
    .exists()
)
FOR_GUEST_AGENT = (
    select(*_conversations.c)
    .where(
        _conversations.c.guest_id == bindparam("guest_id"),
        or_(
            _conversations.c.agent == bindparam("agent"),
            _conversations.c.assignee == bindparam("agent"),
            _IS_AGENT_MEMBER,
        ),
    )
    .order_by(
        case(
            (_conversations.c.agent == bindparam("agent"), 0),
            (_conversations.c.assignee == bindparam("agent"), 1),
            else_=2,
        ),
        _conversations.c.created_at,
    )
    .limit(1)
)
