"""``convene calendars …``: activate Microsoft 365 or Google Workspace for the organisation, run a change pickup now,
and print a Google connect link for an agent (to send from Slack or Teams)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any


def register(subparsers: Any) -> None:
    calendars = subparsers.add_parser("calendars", help="Google Calendar and Microsoft 365 connections")
    tools = calendars.add_subparsers(dest="calendars_command", required=True)
    activate = tools.add_parser(
        "activate-microsoft",
        help="connect agents to their Microsoft 365 mailboxes, matched by primary email (admin consent given)",
    )
    activate.add_argument("emails", nargs="*", help="only these agents (default: every agent)")
    activate.add_argument(
        "--keep-settings",
        action="store_true",
        help="do not take working days/hours and time zone from Outlook",
    )
    activate.set_defaults(run=_activate)
    google = tools.add_parser(
        "activate-google",
        help="connect agents to Google Workspace through domain-wide delegation, matched by primary email",
    )
    google.add_argument("emails", nargs="*", help="only these agents (default: every agent)")
    google.set_defaults(run=_activate_google)
    sync = tools.add_parser("sync", help="pick up calendar-side changes of connected agents now")
    sync.add_argument("agents", nargs="*", help="agent slugs (default: every connected agent)")
    sync.set_defaults(run=_sync)
    link = tools.add_parser("google-link", help="print a one-hour Google Calendar connect link for an agent")
    link.add_argument("email")
    link.set_defaults(run=_link)


def _run(work: Any) -> int:
    from bot.bootstrap import with_runtime

    return asyncio.run(with_runtime(work))


def _activate(args: argparse.Namespace) -> int:
    from bot.calendars.connect import activate_microsoft
    from bot.errors import DomainError

    async def work(runtime: Any) -> int:
        try:
            results = await activate_microsoft(runtime, args.emails or None, prefill=not args.keep_settings)
        except DomainError as error:
            print(error.message, file=sys.stderr)
            return 1
        for r in results:
            print(f"{'ok ' if r.connected else 'NO '} {r.email}: {r.detail}")
        return 0 if all(r.connected for r in results) else 1

    return _run(work)


def _activate_google(args: argparse.Namespace) -> int:
    from bot.calendars.connect import activate_google
    from bot.errors import DomainError

    async def work(runtime: Any) -> int:
        try:
            results = await activate_google(runtime, args.emails or None)
        except DomainError as error:
            print(error.message, file=sys.stderr)
            return 1
        for r in results:
            print(f"{'ok ' if r.connected else 'NO '} {r.email}: {r.detail}")
        return 0 if all(r.connected for r in results) else 1

    return _run(work)


def _sync(args: argparse.Namespace) -> int:
    from bot.calendars.sync import sync_now

    async def work(runtime: Any) -> int:
        for agent, result in (await sync_now(runtime, args.agents or None)).items():
            print(f"{agent}: {result}")
        return 0

    return _run(work)


def _link(args: argparse.Namespace) -> int:
    from bot.calendars.links import connect_link

    async def work(runtime: Any) -> int:
        async with runtime.uow(read_only=True) as read:
            agent = await read.agents.get_by_email(args.email)
        if agent is None:
            print("No agent has that email address.", file=sys.stderr)
            return 1
        print(connect_link(runtime.settings, agent.slug, runtime.clock.now()))
        return 0

    return _run(work)
