"""Every command and the one function that handles it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import commands as c
from bot.handlers import attaching, conversations, creating, membership, people

HANDLERS: dict[type[c.Command], Callable[..., Any]] = {
    c.CreateService: people.create_service,
    c.CreateAgent: people.create_agent,
    c.RegisterGuest: people.register_guest,
    c.SetAgentAvatar: people.set_agent_avatar,
    c.IssueAgentToken: people.issue_agent_token,
    c.RedeemLoginLink: people.redeem_login_link,
    c.LinkServiceChannel: people.link_service_channel,
    c.StartConversation: conversations.start_conversation,
    c.PostMessage: conversations.post_message,
    c.AttachFile: attaching.attach_file,
    c.AssignConversation: conversations.assign_conversation,
    c.MarkRead: conversations.mark_read,
    c.BindThread: conversations.bind_thread,
    c.CreateConversation: creating.create_conversation,
    c.AddMember: membership.add_member,
    c.RemoveMember: membership.remove_member,
    c.RenameConversation: membership.rename_conversation,
    c.SetReadOnly: membership.set_read_only,
    c.SetConversationPicture: membership.set_conversation_picture,
    c.SetLink: membership.set_link,
    c.JoinByLink: membership.join_by_link,
    c.React: membership.react,
    c.Unreact: membership.unreact,
}
