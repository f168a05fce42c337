"""The tables. Typed SQLAlchemy 2 declarative models; the engine never sees them (see repositories)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class AgentRow(Base):
    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


class ServiceRow(Base):
    __tablename__ = "services"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ServiceMemberRow(Base):
    __tablename__ = "service_members"
    service_slug: Mapped[str] = mapped_column(ForeignKey("services.slug"), primary_key=True)
    agent_slug: Mapped[str] = mapped_column(ForeignKey("agents.slug"), primary_key=True)


class GuestRow(Base):
    __tablename__ = "guests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    email_proven_at: Mapped[datetime | None]  # set only by redeeming a one-time emailed link
    email_origin: Mapped[str] = mapped_column(String(8), default="guest")  # who wrote it: guest | agent
    page_url: Mapped[str | None] = mapped_column(String(2000))  # where the session started (0019)


class UnprovenMailRow(Base):
    """One mail to a guest's unproven address: the engine allows a few a day (bot/identity)."""

    __tablename__ = "unproven_mail"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guest_id: Mapped[str] = mapped_column(String(36))
    sent_at: Mapped[datetime]
    __table_args__ = (Index("ix_unproven_mail_guest", "guest_id", "sent_at"),)


class RemovalRow(Base):
    """A member an agent removed: joining by a link they kept is refused."""

    __tablename__ = "conversation_removals"
    conversation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    removed_at: Mapped[datetime]


class TokenRow(Base):
    """Only hashes: a leaked database gives no working token."""

    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]  # bearer tokens: touched at most hourly (bot/sessions)


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    guest_id: Mapped[str] = mapped_column(ForeignKey("guests.id"), index=True)
    service: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(200))
    picture: Mapped[str | None] = mapped_column(String(500))  # URL of the conversation's own picture
    assigned_service: Mapped[str | None] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    guest_seq: Mapped[int] = mapped_column(Integer, default=0)  # messages guests see, counted
    created_at: Mapped[datetime]
    last_message_at: Mapped[datetime | None]
    link_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    read_only_external: Mapped[bool] = mapped_column(Boolean, default=False)
    # The service a guest first wrote to: writing to it again continues this conversation, wherever
    # it was moved since (migration 0013).
    first_service: Mapped[str | None] = mapped_column(String(64))
    # open | snoozed | resolved, and when a snooze ends (UTC) — migration 0016, bot/status.
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    snoozed_until: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    # Where it came from (bot.origin; migration 0019): the kind, and the page for the widget and links.
    origin: Mapped[str | None] = mapped_column(String(16))
    origin_url: Mapped[str | None] = mapped_column(String(2000))
    __table_args__ = (
        Index("ix_conversations_guest_service", "guest_id", "service"),
        Index("ix_conversations_guest_first_service", "guest_id", "first_service"),
        Index("ix_conversations_guest_agent", "guest_id", "agent"),
        Index("ix_conversations_service_last", "service", "last_message_at"),
        Index("ix_conversations_service_status", "service", "status", "last_message_at"),
        Index("ix_conversations_assignee_status", "assignee", "status"),
    )


class MemberRow(Base):
    __tablename__ = "conversation_members"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    last_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime]


class MessageRow(Base):
    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    author_kind: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(100))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    guest_seq: Mapped[int | None] = mapped_column(Integer)  # None for internal notes
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # A resent message (same client id from the same author) is stored once.
        UniqueConstraint("conversation_id", "author_kind", "author_id", "client_id"),
    )


class ReactionRow(Base):
    __tablename__ = "reactions"
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    member_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    emoji: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime]


class MeetingRow(Base):
    __tablename__ = "meetings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    agent: Mapped[str] = mapped_column(String(64))
    guest_id: Mapped[str] = mapped_column(ForeignKey("guests.id"))
    service: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    guest_timezone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="booked")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))  # migration 0009
    calendar_provider: Mapped[str | None] = mapped_column(String(32))
    calendar_id: Mapped[str | None] = mapped_column(String(300))
    external_event_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (Index("ix_meetings_agent_time", "agent", "start_at", "end_at"),)


class LocalEventRow(Base):
    """The built-in calendar: events are rows."""

    __tablename__ = "local_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agent: Mapped[str] = mapped_column(String(64))
    calendar_id: Mapped[str] = mapped_column(String(100), default="primary")
    title: Mapped[str] = mapped_column(String(300))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    meeting_id: Mapped[str | None] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_local_events_agent_time", "agent", "start_at"),)


class CalendarConnectionRow(Base):
    __tablename__ = "calendar_connections"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agent: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(32))
    account_email: Mapped[str | None] = mapped_column(String(320))
    external_user_id: Mapped[str | None] = mapped_column(String(200))
    credentials: Mapped[str | None] = mapped_column(Text)  # encrypted with the secret key
    status: Mapped[str] = mapped_column(String(16), default="ok")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sync_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("agent", "provider"),)


class BindingRow(Base):
    __tablename__ = "bindings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    thread_key: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_bindings_thread", "channel", "thread_key"),)


class ServiceChannelRow(Base):
    __tablename__ = "service_channels"
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AgentIdentityRow(Base):
    """Who an agent is on Slack or Teams, so a button press finds its agent without an API call."""

    __tablename__ = "agent_identities"
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    agent_slug: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None]  # a dead letter: given up, kept for `convene outbox retry`
    __table_args__ = (
        Index("ix_outbox_pending", "dispatched_at", "next_attempt_at"),
        # Only what is still on its way (migration 0026): older_pending asks which of a conversation's are.
        Index(
            "ix_outbox_pending_by_conversation",
            "conversation_id",
            "id",
            sqlite_where=text("dispatched_at IS NULL"),
            postgresql_where=text("dispatched_at IS NULL"),
        ),
    )


class DeliveryRow(Base):
    """One row per (event, destination) delivered: the idempotency key that stops a retry doubling."""

    __tablename__ = "deliveries"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    delivered_at: Mapped[datetime]


class JobRow(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_jobs_due", "status", "run_at"),)


class InboundRow(Base):
    __tablename__ = "inbound"
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime]


class LocalCalendarVersionRow(Base):
    """Bumped with every change to an agent's busy blocks, in the same transaction: any process can
    tell whether what it read before is still true with one small query."""

    __tablename__ = "local_calendar_versions"
    agent: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
