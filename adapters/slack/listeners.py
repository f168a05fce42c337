"""Bolt listeners: acknowledge within Slack's 3 seconds, then hand the request to background work.

Every request is answered: actions and events nobody handles get a plain ``ack()`` rather than bolt's
404, so Slack neither shows an error nor retries."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack import blocks, invite_modal, modals, on_actions, on_invite, on_messages, on_slash, slash
from adapters.slack.context import SlackContext

SUBMIT_WAIT_SECONDS = 2.0  # a modal's errors must be in the ack; past this we close it and report later
ANY = re.compile(".*")
Work = Callable[[SlackContext, dict[str, Any]], Coroutine[Any, Any, Any]]


def register(bolt: AsyncApp, ctx: SlackContext) -> None:
    @bolt.command("/convene")
    async def on_command(ack: Any, body: dict[str, Any]) -> None:
        try:
            request = slash.parse(body.get("text") or "")
        except slash.Usage as usage:
            await ack(response_type="ephemeral", text=usage.text)
            return
        if isinstance(request, slash.Help):
            await ack(response_type="ephemeral", text=slash.USAGE)
            return
        await ack()
        ctx.spawn(on_slash.run(ctx, body, request))

    buttons: dict[str, Work] = {
        blocks.ASSIGN_TO_ME: on_actions.assign_to_me,
        blocks.ASSIGN_OPEN: on_actions.open_assign,
        blocks.SCHEDULE: on_actions.open_schedule,
        blocks.RESCHEDULE: on_actions.open_reschedule,
        blocks.CHANGE_DURATION: on_actions.open_duration,
        blocks.CANCEL: on_actions.cancel_meeting,
        blocks.RESOLVE: on_actions.resolve,
        blocks.REOPEN: on_actions.reopen,
        modals.ASSIGN_SERVICE: on_actions.assign_service_picked,
        modals.MEETING_DURATION: on_actions.meeting_duration_picked,
        invite_modal.INVITE_CHANGED: on_invite.invite_changed,  # the live slot count
        invite_modal.INVITE_SEND: on_invite.send_by_email,
    }
    for action_id, work in buttons.items():
        bolt.action(action_id)(_background(ctx, work))

    submissions: dict[str, Work] = {
        modals.ASSIGN_VIEW: on_actions.assign_submitted,
        modals.MEETING_VIEW: on_actions.meeting_submitted,
        modals.DURATION_VIEW: on_actions.duration_submitted,
        modals.SETTINGS_VIEW: on_actions.settings_submitted,
        invite_modal.INVITE_VIEW: on_invite.invite_submitted,
    }
    for callback_id, work in submissions.items():
        bolt.view(callback_id)(_submission(ctx, work))

    @bolt.event("message")
    async def on_message(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        ctx.spawn(on_messages.thread_reply(ctx, body))

    async def harmless(ack: Any) -> None:
        await ack()  # URL buttons (Open in inbox), old cards, events we do not subscribe to

    bolt.action(ANY)(harmless)
    bolt.view(ANY)(harmless)
    bolt.event(ANY)(harmless)


def _background(ctx: SlackContext, work: Work) -> Callable[..., Awaitable[None]]:
    async def listener(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        ctx.spawn(work(ctx, body))

    return listener


def _submission(ctx: SlackContext, work: Work) -> Callable[..., Awaitable[None]]:
    """The engine runs before the ack when it is quick, so a refusal can show inside the modal (and a
    result that is a view, ``modals.NextView``, replaces it)."""

    async def listener(ack: Any, body: dict[str, Any]) -> None:
        task = ctx.spawn(work(ctx, body))
        done, _ = await asyncio.wait({task}, timeout=SUBMIT_WAIT_SECONDS)
        errors = task.result() if task in done and task.exception() is None else None
        if isinstance(errors, modals.NextView):
            await ack(response_action="update", view=errors.view)
            return
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        if task not in done:
            ctx.spawn(_report_late(ctx, body, task))

    return listener


async def _report_late(ctx: SlackContext, body: dict[str, Any], task: asyncio.Task[Any]) -> None:
    errors = await task
    if errors and not isinstance(errors, modals.NextView):  # a late result was told ephemerally too
        channel = modals.meta_of(body.get("view") or {}).get("channel")
        await ctx.tell(channel, body["user"]["id"], " ".join(errors.values()))
