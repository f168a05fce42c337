"""The ``convene`` command: migrate, demo, serve, agent tokens, and what plugins add."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from bot.bootstrap import Runtime, with_runtime
from bot.commands import CreateAgent, CreateService, IssueAgentToken
from bot.handlers.people import LOGIN_LINK_LIFETIME
from bot.invitations.rooms_cli import register_cli as register_rooms
from bot.outbox_cli import register as register_outbox

DEMO_SERVICES = [("sales", "Sales", ["alice", "bob"]), ("support", "Support", ["carol", "dave"])]
DEMO_HOURS = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
DEMO_SETTINGS: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "working_hours": {d: [list(p) for p in periods] for d, periods in DEMO_HOURS.items()},
    "lunch_break": ["13:00", "14:00"],
}


async def migrate(runtime: Runtime) -> None:
    await runtime.storage.migrate()
    print("database is up to date")


async def demo(runtime: Runtime) -> None:
    for slug, name, members in DEMO_SERVICES:
        await runtime.bus.handle(CreateService(slug, name))
        for agent in members:
            await runtime.bus.handle(
                CreateAgent(
                    agent,
                    agent.capitalize(),
                    f"{agent}@example.com",
                    "Europe/Berlin",
                    settings=DEMO_SETTINGS,
                    services=(slug,),
                )
            )
    base = runtime.settings.base_url
    minutes = int(LOGIN_LINK_LIFETIME.total_seconds() // 60)
    until = runtime.clock.now() + LOGIN_LINK_LIFETIME
    print("demo data: services Sales (alice, bob) and Support (carol, dave)")
    print(f"demo site: {base}/  (a sample shop page with the chat widget: chat there as a guest)")
    print(
        f"inbox sign-in links, one per agent (each works once, for {minutes} minutes, until {until:%H:%M} UTC):"
    )
    for _, _, members in DEMO_SERVICES:
        for agent in members:
            token = await runtime.bus.handle(IssueAgentToken(f"{agent}@example.com", kind="login"))
            print(f"  {agent:6} {base}/inbox/login?token={token}")
    print("a new link later: convene agent login-link alice@example.com")


async def serve(runtime: Runtime, *, reuse_port: bool = False) -> None:
    # The database driver runs in a thread; with the default 5 ms GIL switch interval a busy event loop
    # makes every query wait for it (a convoy). A shorter interval keeps query round trips short.
    sys.setswitchinterval(0.0005)
    web = runtime.channels.get("web")
    if web is None:
        raise SystemExit("the web channel plugin is not installed")
    await web.serve(  # type: ignore[attr-defined]
        runtime, runtime.settings.host, runtime.settings.port, reuse_port=reuse_port
    )


def serve_command(workers: int | None, reuse_port: bool) -> int:
    """One worker serves in this process; several run as children of this one (``bot.supervisor``)."""
    from bot.settings import load_settings
    from bot.supervisor import Supervisor, refusal

    settings = load_settings()  # also writes a generated secret key once, before any child reads it
    count = settings.workers if workers is None else workers
    refused = refusal(settings, count)
    if refused is not None:
        print(refused, file=sys.stderr)
        return 2
    if count > 1:
        return Supervisor(count).run()
    with asyncio.Runner(loop_factory=serving_loop()) as runner:
        return runner.run(with_runtime(lambda runtime: serve(runtime, reuse_port=reuse_port)))


def serving_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (not on Windows): the same asyncio API, with sockets, timers and
    callbacks in C, which is most of a busy server's time outside our own code (README, Benchmarks)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="convene", description="Guests, agents and calendars in one conversation."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the database")
    sub.add_parser("demo", help="seed demo services and agents (idempotent) and print sign-in links")
    serve_parser = sub.add_parser("serve", help="run the web server and workers")
    serve_parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="serving processes sharing the port (PostgreSQL only above 1); default CONVENE_WORKERS or 1",
    )
    serve_parser.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)  # for children
    agent = sub.add_parser("agent", help="agent tools").add_subparsers(dest="agent_command", required=True)
    token = agent.add_parser("token", help="print a bearer token for an agent")
    token.add_argument("email")
    link = agent.add_parser("login-link", help="print a one-time sign-in link for the web inbox")
    link.add_argument("email")
    register_outbox(sub)  # convene outbox failed | retry ID
    register_rooms(sub)  # convene rooms add NAME --email … | list | remove NAME
    for register in _cli_extensions():
        register(sub)
    args = parser.parse_args(argv)
    if args.command == "migrate":
        return asyncio.run(with_runtime(migrate))
    if args.command == "demo":
        return asyncio.run(with_runtime(demo))
    if args.command == "serve":
        return serve_command(args.workers, args.reuse_port)
    if args.command == "agent":
        kind = "api" if args.agent_command == "token" else "login"

        async def issue(runtime: Runtime) -> int:
            from bot.errors import DomainError

            try:
                value = await runtime.bus.handle(IssueAgentToken(args.email, kind=kind))
            except DomainError as error:
                print(error.message, file=sys.stderr)
                return 1
            print(value if kind == "api" else f"{runtime.settings.base_url}/inbox/login?token={value}")
            return 0

        return asyncio.run(with_runtime(issue))
    handler = getattr(args, "run", None)
    if handler is not None:
        return int(handler(args) or 0)
    parser.print_help()
    return 2


def _cli_extensions() -> list[Callable[[Any], None]]:
    """Channel packages add sub-commands (``convene slack manifest``) through entry points."""
    from importlib.metadata import entry_points

    found = []
    for entry in entry_points(group="convene.cli"):
        try:
            found.append(entry.load())
        except Exception as error:  # noqa: BLE001 - a broken plugin must not break the CLI
            print(f"warning: CLI plugin {entry.name} failed to load: {error}", file=sys.stderr)
    return found


if __name__ == "__main__":
    sys.exit(main())
