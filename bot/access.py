"""Who may see and write what. Every adapter asks here; none decides on its own.

A viewer has one role in a conversation:

- ``agent``: an agent of its service, its agent or assignee, or an agent member;
- ``owner``: the guest who started it;
- ``guest``: a guest an agent added (invited by email);
- ``external``: a guest who joined by link;
- ``none``: everyone else, who learns nothing (the API answers as for a missing conversation).

A conversation can be read-only for external members: they still read and react, but do not write, and
see neither the member list nor who reacted (only how many).

Live notices follow the same rules: ``who_sees`` reads the audience the engine gave an event when it
recorded it, and ``reaches`` says whether a destination of one kind (a guest's widget, an agent's
inbox, Slack thread or mailbox) gets it at all. Channels serialise and send; they never re-derive this.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.events import Audience, Event
from bot.model import Actor, Conversation, Member

Role = Literal["agent", "owner", "guest", "external", "system", "none"]


def who_sees(event: Event) -> Audience:
    """The audience the engine recorded; an event that declares none (a notice to one agent's mailbox,
    say) is for agents only, so a new kind of event never leaks by omission."""
    return getattr(event, "audience", Audience.AGENTS)


def reaches(event: Event, viewer_kind: str) -> bool:
    """May a destination of this kind (``guest`` or ``agent``) be sent this event?"""
    return viewer_kind == "agent" or (viewer_kind == "guest" and who_sees(event) is Audience.EVERYONE)


# What a guest's copy of an event leaves out. Who reacted is not for every guest (read-only external
# members see counts only); meeting addresses are for the mail channel, and a conversation may hold
# other guests who must not learn them.
_HIDDEN_FROM_GUESTS: dict[str, frozenset[str]] = {
    "ReactionAdded": frozenset({"by"}),
    "ReactionRemoved": frozenset({"by"}),
    **{
        name: frozenset({"agent_email", "guest_email", "members"})  # members: the team's addresses
        for name in (
            "MeetingBooked",
            "MeetingRescheduled",
            "MeetingCancelled",
            "MeetingDurationChanged",
            "ReminderDue",
        )
    },
}


def hidden_from_guests(event: Event) -> frozenset[str]:
    return _HIDDEN_FROM_GUESTS.get(event.type, frozenset())


def agents_who_see(
    conversation: Conversation, service_members: Sequence[str], members: Sequence[Member] = ()
) -> set[str]:
    """Every agent ``agent_can_see`` lets in: its agent, its assignee, its service's members, agent members."""
    candidates = {conversation.agent, conversation.assignee, *service_members}
    candidates |= {m.id for m in members if m.kind == "agent"}
    services = [conversation.service] if conversation.service else []
    return {
        slug
        for slug in candidates
        if slug and agent_can_see(conversation, slug, services if slug in service_members else [], members)
    }


def agent_can_see(
    conversation: Conversation, agent_slug: str, agent_services: Sequence[str], members: Sequence[Member] = ()
) -> bool:
    return (
        conversation.agent == agent_slug
        or conversation.assignee == agent_slug
        or (conversation.service is not None and conversation.service in agent_services)
        or any(m.kind == "agent" and m.id == agent_slug for m in members)
    )


def guest_can_see(conversation: Conversation, guest_id: str, members: Sequence[Member] = ()) -> bool:
    return conversation.guest_id == guest_id or any(m.kind == "guest" and m.id == guest_id for m in members)


def role_of(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> Role:
    if actor.kind == "system":
        return "system"
    if actor.kind == "agent":
        return "agent" if agent_can_see(conversation, actor.id, agent_services, members) else "none"
    if actor.kind == "guest":
        if conversation.guest_id == actor.id:
            return "owner"
        member = next((m for m in members if m.kind == "guest" and m.id == actor.id), None)
        if member is None:
            return "none"
        return "external" if member.external else "guest"
    return "none"


def _read_only_for(conversation: Conversation, role: Role) -> bool:
    return role == "external" and conversation.read_only_external


def can_see(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> bool:
    return role_of(conversation, actor, agent_services, members) != "none"


def can_write(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> bool:
    role = role_of(conversation, actor, agent_services, members)
    return role != "none" and not _read_only_for(conversation, role)


def can_react(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> bool:
    return can_see(conversation, actor, agent_services, members)  # read-only members react too


def can_see_members(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> bool:
    """Also decides whether the viewer sees *who* reacted; otherwise only the counts."""
    role = role_of(conversation, actor, agent_services, members)
    return role != "none" and not _read_only_for(conversation, role)


def can_manage(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> bool:
    """Add and remove members, rename, switch read-only: agents who can see the conversation."""
    return role_of(conversation, actor, agent_services, members) == "agent"


def reply_author(members: Sequence[Member], kind: str, member_id: str, sender_email: str) -> Member | None:
    """A reply by email counts only when it comes from the address of the member it was sent to."""
    member = next((m for m in members if m.kind == kind and m.id == member_id), None)
    if member is None or not member.email or not sender_email:
        return None
    return member if member.email.strip().lower() == sender_email.strip().lower() else None
