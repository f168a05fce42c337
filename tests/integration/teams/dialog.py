"""The one helper behind the Teams dialogue tables, in the style of zulip_bots' ``verify_dialog``: each
row is a move of an agent (a text command, a thread reply, a card button) and what must follow: the
answers the local connector receives where the agent acted (or the invoke response of a Universal
Action), and optionally what the conversation's thread, its card and the guest see afterwards.

``Dialog.verify(rows)`` sends each move as a signed Bot Framework activity, lets the bot and the outbox
finish, checks the row, and returns the steps so a test can look closer at one of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .conftest import Teams
from .fake_botframework import GENERAL

CHANNEL_POST = f"{GENERAL};messageid=1"  # a post in the General channel that is no conversation of ours
NOT_AN_AGENT = (
    "Only Convene agents can do this. Ask an administrator to add your Microsoft 365 address as an agent."
)


@dataclass(frozen=True)
class Say:
    """An agent writes: ``where`` is ``chat`` (their personal chat with the bot), ``thread`` (the
    conversation's thread) or ``channel`` (a channel post of no conversation); ``mention``: @Convene."""

    text: str
    by: str = "alice"
    where: str = "chat"
    mention: bool = False
    activity_id: str | None = None


@dataclass(frozen=True)
class Press:
    """An agent presses a card button: ``Action.Execute`` (the card comes back in the invoke response),
    or with ``submit`` the ``Action.Submit`` of older clients (a message; the card comes as a reply).
    Values in ``data`` may name the dialogue's values: ``{cid}``, ``{meeting}``."""

    verb: str
    data: dict[str, Any] = field(default_factory=dict)
    by: str = "alice"
    where: str = "thread"
    submit: bool = False
    activity_id: str | None = None  # the same id twice: Teams replaying one press


@dataclass(frozen=True)
class Card:
    """What an answered card must show; unset fields are not checked. ``facts``: a value of None means
    the fact is absent; ``error``: the engine's sentence on the card (True: any)."""

    first: str | None = None
    facts: dict[str, str | None] | None = None
    lines: Sequence[str] = ()
    buttons: Sequence[str] | None = None
    inputs: Sequence[str] | None = None
    error: str | bool | None = None

    def check(self, content: dict[str, Any]) -> None:
        shown = card_lines(content)
        if self.first is not None:
            assert shown[0] == self.first, shown
        if self.facts is not None:
            facts = card_facts(content)
            assert {k: facts.get(k) for k in self.facts} == self.facts, facts
        assert [line for line in self.lines if line not in shown] == [], shown
        if self.buttons is not None:
            assert [a["title"] for a in content.get("actions", [])] == list(self.buttons)
        if self.inputs is not None:
            assert [e["id"] for e in _elements(content["body"]) if e["type"].startswith("Input.")] == list(
                self.inputs
            )
        errors = error_lines(content)
        if self.error is True:
            assert errors, shown
        elif self.error is not None:
            assert errors == [self.error], shown
        else:
            assert errors == [] or self.first in errors, shown


@dataclass(frozen=True)
class After:
    """What the conversation shows once the move is done: ``thread``: the lines the outbox posted in the
    thread (exactly); ``card``: facts of the thread's card, updated once in place ({}: not updated);
    ``guest``: the guest's last message; ``guest_has``: a message the guest sees somewhere;
    ``guest_unchanged``: the guest sees nothing new."""

    thread: Sequence[str] | None = None
    card: dict[str, str | None] | None = None
    guest: tuple[str, str] | None = None
    guest_has: tuple[str, str] | None = None
    guest_unchanged: bool = False


Answer = str | Card
Row = (
    tuple[Say | Press, Answer | Sequence[Answer] | None]
    | tuple[Say | Press, Answer | Sequence[Answer] | None, After]
)


@dataclass
class Step:
    status: int
    answers: list[str | dict[str, Any]]  # texts, and cards as their JSON
    thread: list[str]
    card_updates: list[Any]
    guest: list[tuple[str, str]]


class Dialog:
    def __init__(self, teams: Teams, *, thread: str = "", guest: dict[str, str] | None = None, **values: str):
        self.teams = teams
        self.thread = thread
        self.guest_headers = guest
        self.values = values

    def where(self, move: Say | Press) -> str:
        return {"chat": f"a:personal-{move.by}", "thread": self.thread, "channel": CHANNEL_POST}[move.where]

    def activity(self, move: Say | Press) -> dict[str, Any]:
        kind = "personal" if move.where == "chat" else "channel"
        place = {"sender": f"29:{move.by}", "conversation": self.where(move), "conversation_type": kind}
        if isinstance(move, Say):
            return self.teams.activity(
                text=move.text.format(**self.values),
                mention=move.mention,
                activity_id=move.activity_id,
                **place,
            )
        data = {"action": move.verb, **{k: str(v).format(**self.values) for k, v in move.data.items()}}
        if move.submit:
            return self.teams.activity(value=data, activity_id=move.activity_id, **place)
        action = {"type": "Action.Execute", "verb": move.verb, "data": data}
        return self.teams.activity(
            "invoke",
            name="adaptiveCard/action",
            value={"action": action, "trigger": "manual"},
            activity_id=move.activity_id,
            **place,
        )

    async def guest_texts(self) -> list[tuple[str, str]]:
        if self.guest_headers is None:
            return []
        return await self.teams.guest_texts(self.guest_headers, self.values["cid"])

    async def send(self, move: Say | Press) -> Step:
        ms, here = self.teams.ms, self.where(move)
        calls, guest_before = len(ms.calls), await self.guest_texts()
        response = await self.teams.post(self.activity(move))  # returns once the bot has answered
        answered = len(ms.calls)
        await self.teams.settle()  # then the outbox delivers what the engine recorded
        answers: list[str | dict[str, Any]] = []
        if response.status == 200 and not move.submit and isinstance(move, Press):
            answers.append((await response.json())["value"])
        for call in ms.calls[calls:answered]:
            if call.method == "POST" and call.path == f"/v3/conversations/{here}/activities":
                answers.append(call.body.get("text") or call.body["attachments"][0]["content"])
        delivered = ms.calls[answered:]
        thread_path = f"/v3/conversations/{self.thread}/activities"
        return Step(
            status=response.status,
            answers=answers,
            thread=[
                c.body["text"]
                for c in delivered
                if c.method == "POST" and c.path == thread_path and c.body.get("text")
            ],
            card_updates=[c for c in delivered if c.method == "PUT"],
            guest=(await self.guest_texts())[len(guest_before) :] if self.guest_headers else [],
        )

    async def verify(self, rows: Sequence[Row]) -> list[Step]:
        steps = []
        for number, (move, expected, *after) in enumerate(rows, 1):
            step = await self.send(move)
            try:
                assert step.status in (200, 201), step.status
                check_answers(step.answers, expected)
                for check in after:
                    await self.check_after(step, check)
            except AssertionError as error:
                raise AssertionError(f"row {number}: {move}: {error}") from error
            steps.append(step)
        return steps

    async def check_after(self, step: Step, after: After) -> None:
        if after.thread is not None:
            assert step.thread == list(after.thread), step.thread
        if after.card == {}:
            assert step.card_updates == []
        elif after.card is not None:
            [update] = step.card_updates
            assert update.path.startswith(f"/v3/conversations/{self.thread}/activities/")
            facts = card_facts(update.body["attachments"][0]["content"])
            assert {k: facts.get(k) for k in after.card} == after.card, facts
        texts = await self.guest_texts()
        if after.guest is not None:
            assert texts[-1] == after.guest, texts
        if after.guest_has is not None:
            assert after.guest_has in texts, texts
        if after.guest_unchanged:
            assert step.guest == [], step.guest


def check_answers(answers: list[str | dict[str, Any]], expected: Any) -> None:
    if expected is None:
        assert answers == [], answers
        return
    wanted = [expected] if isinstance(expected, str | Card) else list(expected)
    assert len(answers) == len(wanted), answers
    for got, want in zip(answers, wanted, strict=True):
        if isinstance(want, str):
            assert got == want, got
        else:
            assert isinstance(got, dict), got
            want.check(got)


def _elements(body: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for element in body:
        yield element
        yield from _elements(element.get("items", []))


def card_lines(card: dict[str, Any]) -> list[str]:
    return [i["text"] for e in _elements(card["body"]) if e["type"] == "RichTextBlock" for i in e["inlines"]]


def error_lines(card: dict[str, Any]) -> list[str]:
    return [
        i["text"]
        for e in _elements(card["body"])
        if e["type"] == "RichTextBlock"
        for i in e["inlines"]
        if i.get("color") == "attention"
    ]


def card_facts(card: dict[str, Any]) -> dict[str, str]:
    return {
        f["title"]: f["value"] for e in _elements(card["body"]) if e["type"] == "FactSet" for f in e["facts"]
    }


def choices(card: dict[str, Any], input_id: str) -> list[dict[str, str]]:
    [choice_set] = [e for e in _elements(card["body"]) if e.get("id") == input_id]
    return list(choice_set["choices"])
