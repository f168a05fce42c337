"""Dialogue tables for Slack, in the manner of zulip_bots' ``verify_dialog``.

A row is what an agent does in Slack (a ``/convene`` command, a button, a modal submission, a thread
reply) and what should follow: the answer in the ack, the ephemeral lines they are told, the Web API
calls the fake Slack receives, and the engine's state afterwards. ``verify_dialog`` sends each row as
a correctly signed request, lets the background work and the outbox settle, and compares only what
the row states, so every column a row leaves out is a column it does not claim.

Texts may name the scene: ``{cid}`` (the guest's conversation), ``{ts}`` (its thread in #sales),
``{meeting}`` (a meeting booked in it) and ``{unknown}`` (an id nobody has).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .conftest import SALES, SlackDriver

UNKNOWN_ID = "0b7a0f6e-5d1f-4c38-9d1e-000000000000"
UNCHECKED: Any = object()


@dataclass(frozen=True)
class Slash:
    text: str  # after "/convene "


@dataclass(frozen=True)
class Click:
    action_id: str
    value: str = "{cid}"
    in_view: bool = False  # a select inside the last modal opened, rather than a button on a card


@dataclass(frozen=True)
class Submit:
    values: dict[str, str]  # by block-id prefix, into the last modal the app opened


@dataclass(frozen=True)
class Reply:
    text: str  # in the conversation's thread, as Slack escapes it


Step = Slash | Click | Submit | Reply


@dataclass
class Scene:
    """The conversation a table plays in; a row's texts are filled from it."""

    guest: dict[str, str] = field(default_factory=dict)  # the guest's API headers
    cid: str = ""
    ts: str = ""
    meeting: str = ""

    def fill(self, text: str) -> str:
        return text.format(cid=self.cid, ts=self.ts, meeting=self.meeting, unknown=UNKNOWN_ID)


@dataclass(frozen=True)
class Expect:
    ack: str | None = UNCHECKED  # an ephemeral answer in the ack, by its start; None: a plain ack
    told: Sequence[str] = UNCHECKED  # every ephemeral line the agent is told, in order; a line ending
    #                                   in "…" matches by its start
    calls: Sequence[str] = UNCHECKED  # the Web API methods called, in order (bolt's auth.test aside)
    modal_errors: dict[str, str] | None = UNCHECKED  # by block-id prefix; None: the modal closes
    assignee: str | None = UNCHECKED  # the conversation's assignee afterwards
    thread_ends: str = UNCHECKED  # the last line in the thread ("…" at the end: by its start)
    guest_sees: tuple[str, str, str] | None = UNCHECKED  # the guest's last message; None: unchanged


@dataclass
class Heard:
    status: int
    answer: Any  # the ack's JSON, or its text
    calls: list[Any]
    told: list[str]

    @property
    def methods(self) -> list[str]:
        return [c.method for c in self.calls]


async def say(slack: SlackDriver, scene: Scene, user: str, step: Step) -> Heard:
    """Sends one step as Slack would, waits for everything it set moving, and reports what happened."""
    first = len(slack.fake.calls)
    if isinstance(step, Slash):
        r = await slack.command(user, scene.fill(step.text))
    elif isinstance(step, Click) and step.in_view:
        r = await slack.click(
            user, step.action_id, "", view=slack.last_view(), selected=scene.fill(step.value)
        )
    elif isinstance(step, Click):
        r = await slack.click(user, step.action_id, scene.fill(step.value), message_ts=scene.ts or "1.0")
    elif isinstance(step, Submit):
        r = await slack.submit(user, slack.last_view(), {k: scene.fill(v) for k, v in step.values.items()})
    else:
        r = await slack.send(
            slack.event_body(user, scene.fill(step.text), thread_ts=scene.ts), "application/json"
        )
    raw = await r.text()
    answer = await r.json() if raw and r.content_type == "application/json" else raw
    await slack.settle()
    calls = [c for c in slack.fake.calls[first:] if c.method != "auth.test"]
    told = [
        c.args.get("text", "")
        for c in calls
        if (c.method == "chat.postEphemeral" and c.args.get("user") == user) or c.method == "response_url"
    ]
    return Heard(r.status, answer, calls, told)


async def assignee_of(slack: SlackDriver, cid: str) -> str | None:
    async with slack.runtime.uow(read_only=True) as uow:
        return (await uow.conversations.get(cid)).assignee


async def guest_sees(slack: SlackDriver, headers: dict[str, str], cid: str) -> list[tuple[str, str, str]]:
    r = await slack.client.get(f"/api/guest/conversations/{cid}/messages", headers=headers)
    return [(m["author"]["kind"], m["author"]["name"], m["text"]) for m in (await r.json())["messages"]]


def _matches(line: str, expected: str) -> bool:
    return line.startswith(expected[:-1]) if expected.endswith("…") else line == expected


async def verify_dialog(
    slack: SlackDriver, scene: Scene, dialog: Sequence[tuple[str, Step, Expect]]
) -> list[Heard]:
    """Plays the rows in order; each must be answered as it says."""
    heard_all = []
    for user, step, expect in dialog:
        before = await guest_sees(slack, scene.guest, scene.cid) if scene.guest else []
        heard = await say(slack, scene, user, step)
        where = f"{user} {step}"
        assert heard.status == 200, where
        if expect.ack is not UNCHECKED:
            if expect.ack is None:
                assert heard.answer == "", where
            else:
                assert heard.answer["response_type"] == "ephemeral", where
                assert heard.answer["text"].startswith(expect.ack), (where, heard.answer)
        if expect.modal_errors is not UNCHECKED:
            if expect.modal_errors is None:
                assert heard.answer == "", (where, heard.answer)  # the modal closes
            else:
                assert heard.answer["response_action"] == "errors", where
                errors = {k.split(":")[0]: v for k, v in heard.answer["errors"].items()}
                assert errors == expect.modal_errors, where
        if expect.told is not UNCHECKED:
            assert len(heard.told) == len(expect.told), (where, heard.told)
            assert all(_matches(t, e) for t, e in zip(heard.told, expect.told, strict=True)), (
                where,
                heard.told,
            )
        if expect.calls is not UNCHECKED:
            assert heard.methods == list(expect.calls), (where, heard.methods)
        if expect.assignee is not UNCHECKED:
            assert await assignee_of(slack, scene.cid) == expect.assignee, where
        if expect.thread_ends is not UNCHECKED:
            last = slack.fake.thread(SALES, scene.ts)[-1]
            assert _matches(last, expect.thread_ends), (where, last)
        if expect.guest_sees is not UNCHECKED:
            after = await guest_sees(slack, scene.guest, scene.cid)
            if expect.guest_sees is None:
                assert after == before, where
            else:
                assert after[-1] == expect.guest_sees, (where, after[-1:])
        heard_all.append(heard)
    return heard_all


# -- setting the scene -------------------------------------------------------------------------------


async def guest_writes(
    slack: SlackDriver, text: str = "Hi, I need a quote", name: str = "Ann"
) -> tuple[dict[str, str], str]:
    r = await slack.client.post("/api/guest/sessions", json={"name": name, "email": "ann@example.org"})
    headers = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await slack.client.post(
        "/api/guest/conversations", json={"service": "sales", "text": text}, headers=headers
    )
    assert r.status == 201
    return headers, (await r.json())["conversation"]["id"]


async def link_sales(slack: SlackDriver) -> None:
    r = await slack.command("UALICE", "link-channel sales")
    assert r.status == 200
    await slack.settle()


def slack_root_ts(slack: SlackDriver) -> str:
    """The ts Slack gave the root card: every thread line refers to it."""
    replies = [a["thread_ts"] for a in slack.fake.of("chat.postMessage") if "thread_ts" in a]
    assert replies, "no thread replies yet"
    return replies[0]


async def open_scene(slack: SlackDriver) -> Scene:
    """#sales linked, and Ann's first message to Sales on its card there (nobody assigned yet)."""
    await link_sales(slack)
    guest, cid = await guest_writes(slack)
    await slack.settle()
    return Scene(guest=guest, cid=cid, ts=slack_root_ts(slack))


def card_text(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            parts.append(
                item.get("text", "")
                if isinstance(item.get("text"), str)
                else item.get("text", {}).get("text", "")
            )
    return "\n".join(parts)
