"""The ``web`` channel: live notices to guests' widgets and agents' inboxes, and the HTTP host itself.

Who gets a notice is the engine's answer (``bot.access``): this module only serialises and sends.
"""

from __future__ import annotations

from typing import Any

from adapters.web.fanout import LocalFanout, PostgresFanout, postgres_dsn
from adapters.web.live import LiveHub
from adapters.web.serialize import iso
from bot import access, queries
from bot.events import ConversationAssigned, Event, MessagePosted, to_json
from bot.model import Binding


def event_payload(event: Event, *, for_guest: bool = False) -> dict[str, Any]:
    if isinstance(event, MessagePosted):
        return {
            "type": "message",
            "conversation_id": event.conversation_id,
            "mentions": [] if for_guest else list(event.mentions),  # agents a note names: notifications
            "message": {
                "id": event.message_id,
                "conversation_id": event.conversation_id,
                "seq": event.guest_seq if for_guest else event.seq,  # guests count what they see
                "author": {"kind": event.author.kind, "id": event.author.id, "name": event.author.name},
                "text": event.text,
                "internal": event.internal,
                "client_id": event.client_id,
                "created_at": iso(event.created_at),
                "attachments": list(event.attachments),
            },
        }
    return {
        "type": "event",
        "event": event.type,
        "conversation_id": event.conversation_id,
        "data": to_json(event),
    }


class WebChannel:
    name = "web"
    replay_safe = True  # live pushes carry message ids; browsers drop one they already have
    broadcast = True  # agents' inboxes follow every conversation they may see, without bindings

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.hub = LiveHub()
        self.fanout: LocalFanout | PostgresFanout = LocalFanout(self.hub)
        self.runtime: Any = None
        self._routing: dict[str, set[str]] = {}  # conversation → agent slugs who may see it

    async def start(self, runtime: Any) -> None:
        self.runtime = runtime
        if getattr(runtime.storage, "is_postgres", False):
            fanout = PostgresFanout(self.hub, postgres_dsn(runtime.settings.database_url))
            await fanout.start()
            self.fanout = fanout

    async def stop(self) -> None:
        await self.fanout.stop()

    async def deliver(self, event: Event, binding: Binding) -> dict[str, Any] | None:
        if binding.id.startswith("broadcast-"):
            await self._to_agents(event)
            return None
        guest_id = binding.address.get("guest_id")
        if not guest_id or not access.reaches(event, "guest"):
            return None
        # Alone, a guest with no socket here has nothing to push (LiveHub.to_guest would drop it): the
        # payload is not even built. Alone, pushes go straight to this process's hub.
        fanout = self.fanout
        local = isinstance(fanout, LocalFanout)
        if local and not fanout.hub.guests.get(guest_id):
            return None
        if local and isinstance(event, MessagePosted) and event.client_id and event.author.kind == "guest":
            if fanout.hub.has_own(guest_id, event.client_id):
                return None  # their own message, already in the ack of every socket they have here
        payload = event_payload(event, for_guest=True)
        for name in access.hidden_from_guests(event):
            payload.get("data", {}).pop(name, None)
        if isinstance(fanout, LocalFanout):
            await fanout.hub.to_guest(guest_id, payload)
        else:
            await fanout.publish({"guest": guest_id}, payload)
        return None

    async def _to_agents(self, event: Event) -> None:
        conversation_id = getattr(event, "conversation_id", "")
        shared = isinstance(self.fanout, PostgresFanout)
        if not conversation_id or self.runtime is None or not (shared or self.hub.agents):
            return  # alone, and nobody has the inbox open: nothing to push
        if isinstance(event, ConversationAssigned) or event.type in {"MemberAdded", "MemberRemoved"}:
            self._routing.pop(conversation_id, None)  # who may see it changed
        # Several processes: another one may have handled the assignment, so this cache could be stale.
        agents = None if shared else self._routing.get(conversation_id)
        if agents is None:
            async with self.runtime.uow(read_only=True) as uow:
                agents = await queries.agents_following(uow, conversation_id)
            self._routing[conversation_id] = agents
        if not agents:
            return
        fanout = self.fanout
        if not isinstance(fanout, LocalFanout):
            await fanout.publish({"agents": sorted(agents)}, event_payload(event))
        elif any(fanout.hub.agents.get(slug) for slug in agents):  # alone: only to sockets held here
            await fanout.hub.to_agents(agents, event_payload(event))

    async def serve(self, runtime: Any, host: str, port: int, *, reuse_port: bool = False) -> None:
        from adapters.web.app import run

        await run(runtime, host, port, reuse_port=reuse_port)


def plugin(config: dict[str, Any]) -> WebChannel:
    return WebChannel(config)
