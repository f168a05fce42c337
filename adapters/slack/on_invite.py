"""``/convene invite``: the modal, its live slot count, the submission and the result with the links.

Translation only. The view's values become an ``InvitationDraft`` (Slack users → agents through the
identity lookup); the count is the engine's ``count_slots`` and the submission its ``CreateInvitation``,
the same command the inbox API sends. A refusal names a ``field``, which is the block it is shown on;
nothing is written then. The links exist only in the answer to the command that issued the token
(only its hash is stored), so they are shown once, ephemerally, in a block ready to copy.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from adapters.slack import invite_modal as im
from adapters.slack.blocks import esc
from adapters.slack.context import SlackContext
from adapters.slack.modals import NextView, meta_of
from adapters.slack.reads import timezone_of
from bot.errors import DomainError
from bot.invitations.commands import CreateInvitation, InvitationDraft, ResendInvitation
from bot.invitations.links import invitation_link
from bot.model import Agent
from bot.zones import zone

Errors = dict[str, str] | NextView | None
# The count does not depend on who is invited: stand-ins keep it from failing on empty fields.
STAND_INS = {"guest_name": "Guest", "guest_email": "guest@example.com", "subject": "Meeting"}


class Unreadable(Exception):
    """A value the engine cannot be asked about yet; ``block`` is where the modal says so."""

    def __init__(self, block: str, message: str) -> None:
        super().__init__(message)
        self.block, self.message = block, message


async def draft_of(ctx: SlackContext, fields: dict[str, Any], *, counting: bool = False) -> InvitationDraft:
    members = []
    for user in fields.get("members") or []:
        agent = await ctx.identities.agent_for(user)
        if agent is None:
            raise Unreadable("members", f"<@{user}> is not a Convene agent.")
        members.append(agent.slug)
    dates = {}
    for name in ("start_date", "end_date"):
        try:
            dates[name] = date.fromisoformat(str(fields.get(name) or ""))
        except ValueError:
            raise Unreadable(name, "Choose a date.") from None
    texts = {k: str(fields.get(k) or "").strip() for k in ("guest_name", "guest_email", "subject")}
    if counting:
        texts = {k: v or STAND_INS[k] for k, v in texts.items()}
    ticked = fields.get("confirmation")  # absent (an older modal): both on, as by default
    return InvitationDraft(
        guest_name=texts["guest_name"],
        guest_email=texts["guest_email"],
        subject=texts["subject"],
        duration=int(fields.get("duration") or 30),
        members=tuple(members),
        rooms=tuple(fields.get("rooms") or ()),
        pools=tuple(fields.get("pools") or ()),
        description=str(fields.get("description") or "").strip(),
        description_private=im.PRIVATE in (fields.get("description_private") or ()),
        conferencing=str(fields.get("conferencing") or "").strip(),
        meeting_type=str(fields.get("meeting_type") or "video"),
        location=str(fields.get("location") or "").strip(),
        guest_timezone=str(fields.get("guest_timezone") or "").strip() or None,
        add_to_calendar=ticked is None or im.ADD_TO_CALENDAR in ticked,
        send_confirmation=ticked is None or im.SEND_CONFIRMATION in ticked,
        timezone_mode=str(fields.get("timezone_mode") or "customer"),
        start_date=dates["start_date"],
        end_date=dates["end_date"],
        day_start=str(fields.get("day_start") or "09:00"),
        day_end=str(fields.get("day_end") or "17:00"),
        timezone=str(fields.get("timezone") or "").strip() or None,
        promoted=tuple(datetime.fromisoformat(p) for p in fields.get("promoted") or ()),
        send_email=fields.get("send_email", im.EMAIL) != im.COPY,
    )


async def _view(
    ctx: SlackContext, agent: Agent, user: str, meta: dict[str, Any], fields: dict[str, Any]
) -> dict[str, Any]:
    """The modal with the count for ``fields`` (or what to fix before there can be one)."""
    free: list[datetime] = []
    tz = str(fields.get("timezone") or "").strip() or timezone_of(agent)
    try:
        found = await ctx.reads.invitation_count(await draft_of(ctx, fields, counting=True), agent.actor)
        free = list(found["slots"])
        count = im.count_text(found["count"], found["busy"])
    except Unreadable as problem:
        count = im.count_text(None, problem=problem.message)
    except DomainError as error:
        count = im.count_text(None, problem=error.message)
    try:
        zone(tz)
    except DomainError:
        tz = timezone_of(agent)
    rooms, pools = await _rooms_and_pools(ctx)
    today = ctx.reads.now().astimezone(zone(timezone_of(agent))).date()
    return im.invite_modal(
        meta, organizer_user=user, timezone=tz, today=today, rooms=rooms, count=count, free=free, pools=pools
    )


async def _rooms_and_pools(ctx: SlackContext) -> tuple[list[tuple[str, str]], list[str]]:
    found = await ctx.reads.rooms()
    return [(r.id, r.name) for r in found], sorted({r.pool for r in found if r.pool})


def initial_fields(agent: Agent, user: str, today: date) -> dict[str, Any]:
    """What the modal opens with: the organiser alone, the next seven days, 09:00–17:00 their time."""
    return {
        "duration": "30",
        "members": [user],
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=7)).isoformat(),
        "day_start": "09:00",
        "day_end": "17:00",
        "timezone": timezone_of(agent),
    }


async def open_invite(ctx: SlackContext, agent: Agent, body: dict[str, Any]) -> None:
    """Opens at once (the trigger lasts 3 seconds), then fills in the count."""
    user = body["user_id"]
    meta = {"channel": body.get("channel_id")}
    today = ctx.reads.now().astimezone(zone(timezone_of(agent))).date()
    rooms, pools = await _rooms_and_pools(ctx)
    first = im.invite_modal(
        meta,
        organizer_user=user,
        timezone=timezone_of(agent),
        today=today,
        rooms=rooms,
        count=im.count_text(None),
        pools=pools,
    )
    opened = await ctx.api.open_view(body["trigger_id"], first)
    counted = await _view(ctx, agent, user, meta, initial_fields(agent, user, today))
    view = opened.get("view") or {}
    await ctx.api.update_view(str(view.get("id") or ""), counted, view.get("hash"))


async def invite_changed(ctx: SlackContext, body: dict[str, Any]) -> None:
    view = body.get("view") or {}
    agent = await ctx.identities.agent_for(body["user"]["id"])
    if agent is None:
        return
    updated = await _view(ctx, agent, body["user"]["id"], meta_of(view), im.fields_of(view))
    await ctx.api.update_view(view["id"], updated, view.get("hash"))


async def invite_submitted(ctx: SlackContext, body: dict[str, Any]) -> Errors:
    view, user = body["view"], body["user"]["id"]
    known = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}

    def on(block: str, message: str) -> dict[str, str]:
        return {block if block in known else "members": message}

    agent = await ctx.identities.agent_for(user)
    if agent is None:
        return on("members", ctx.texts.not_an_agent)
    try:
        draft = await draft_of(ctx, im.fields_of(view))
        invitation = await ctx.run(CreateInvitation(draft, agent.actor))
    except Unreadable as problem:
        return on(problem.block, problem.message)
    except DomainError as error:
        return on(str(error.details.get("field") or "members"), error.message)
    lines = [f"Pick any time: {invitation_link(ctx.public_url, invitation.token)}"] + [
        f"{p.astimezone(zone(invitation.timezone)):%a %d %b %H:%M}: {invitation_link(ctx.public_url, invitation.token, p)}"
        for p in invitation.promoted
    ]
    blocks = im.result_blocks(
        invitation.subject, invitation.guest_name, lines, draft.send_email, invitation.id
    )
    # Also ephemerally where the command was typed, so the links outlive the modal (where the bot may post).
    await ctx.tell(meta_of(view).get("channel"), user, "\n".join(lines), blocks=blocks)
    return NextView(im.result_view(blocks))


async def send_by_email(ctx: SlackContext, body: dict[str, Any]) -> None:
    """The result's "Send by email": a resend, which mails fresh links (the copied ones stop working)."""
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    agent = await ctx.agent(user, channel, body.get("response_url"))
    if agent is None:
        return
    invitation_id = str(((body.get("actions") or [{}])[0]).get("value") or "")
    try:
        invitation = await ctx.run(ResendInvitation(invitation_id, agent.actor))
        text = f"Sent to {invitation.guest_email} with fresh links; the links above no longer work."
    except DomainError as error:
        text = error.message
    view = body.get("view")
    if view:  # pressed in the result modal: the modal says it
        done = im.result_view([{"type": "section", "text": {"type": "mrkdwn", "text": esc(text)}}])
        await ctx.api.update_view(view["id"], done, view.get("hash"))
        return
    await ctx.tell(channel, user, text, response_url=body.get("response_url"))
