# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""The OpenAPI document tells the truth about the meeting routes: every status and code it lists for a
route is one that route really answers. Each documented (status, code) is driven once over HTTP, with
the real providers plugged in (a broken Google grant gives the 503), and the document is read from
``/api/openapi.json`` of the same app, so neither side can drift from the other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    connect,
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
    product,
    product_url,
)
from tests.integration.meetings_support import agent, guest

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
TUE_10 = "2026-11-24T09:00:00Z"
TUE_11 = "2026-11-24T10:00:00Z"
ROUTES = [
    ("post", "/api/guest/meetings"),
    ("get", "/api/guest/meetings/{id}"),
    ("patch", "/api/guest/meetings/{id}"),
    ("delete", "/api/guest/meetings/{id}"),
    ("post", "/api/agent/meetings"),
    ("get", "/api/agent/meetings/{id}"),
    ("patch", "/api/agent/meetings/{id}"),
    ("delete", "/api/agent/meetings/{id}"),
]


def documented(document: dict[str, Any], method: str, path: str) -> set[tuple[int, str]]:
    """(status, code) pairs the document promises; a success status stands for itself ("")."""
    found = set()
    for status, answer in document["paths"][path][method]["responses"].items():
        if int(status) < 400:
            found.add((int(status), ""))
            continue
        for alternative in answer["description"].split("|"):
            found.add((int(status), alternative.split()[0]))
    return found


async def guest_without_email(client: Any) -> dict[str, str]:
    r = await client.post("/api/guest/sessions", json={"name": "Nell"})
    return {"Authorization": f"Bearer {(await r.json())['token']}"}


async def test_every_documented_status_and_code_of_the_meeting_routes_is_one_the_route_answers(
    product: Any,  # noqa: F811
) -> None:
    client, runtime = product, product.runtime
    runtime.clock.set(NOW)
    seen: dict[tuple[str, str], set[tuple[int, str]]] = {route: set() for route in ROUTES}

    async def call(method: str, path: str, headers: dict[str, str], mid: str = "", body: Any = None) -> Any:
        r = await client.request(
            method, path.replace("{id}", mid), headers=headers, **({"json": body} if body is not None else {})
        )
        answer = await r.json()
        seen[(method, path)].add((r.status, answer.get("code", "") if r.status >= 400 else ""))
        return answer

    ann, ben = await guest(client), await guest(client, "Ben", "ben@example.org")
    alice, carol = await agent(runtime, "alice"), await agent(runtime, "carol")

    booking = {"agent": "alice", "start": TUE_10, "duration": 30, "subject": "Demo"}
    once = {**ann, "Idempotency-Key": "ann-1"}
    mid = (await call("post", "/api/guest/meetings", once, body=booking))["meeting"]["id"]
    await call("post", "/api/guest/meetings", once, body=booking)  # 200: the same meeting again
    await call("post", "/api/guest/meetings", ben, body=booking)  # 409 slot_taken
    beyond = {**booking, "start": "2027-01-05T09:00:00Z"}
    await call("post", "/api/guest/meetings", ben, body=beyond)  # 400 beyond_horizon
    framed = {**booking, "link_start": "30.11.2026", "link_end": "04.12.2026"}
    await call("post", "/api/guest/meetings", ben, body=framed)  # 400 outside_link_window
    await call(
        "post", "/api/guest/meetings", ben, body={**framed, "link_start": "32.13.2026"}
    )  # invalid_date
    nameless = await guest_without_email(client)
    await call("post", "/api/guest/meetings", nameless, body=booking)  # 400 email_required
    await call("post", "/api/guest/meetings", nameless, body={**booking, "email": "nope"})  # invalid_email
    conversation = (await call("get", "/api/guest/meetings/{id}", ann, mid))["meeting"]["conversation_id"]
    await call("get", "/api/guest/meetings/{id}", ben, mid)  # 404: someone else's
    await call("get", "/api/agent/meetings/{id}", carol, mid)  # 404: Support's Carol does not see it
    at_11 = {"conversation_id": conversation, "start": TUE_11, "duration": 30, "agent": "alice"}
    again = {**alice, "Idempotency-Key": "alice-1"}
    other = (await call("post", "/api/agent/meetings", again, body=at_11))["meeting"]["id"]
    await call("post", "/api/agent/meetings", again, body=at_11)  # 200: the same meeting again
    await call("post", "/api/agent/meetings", alice, body=at_11)  # 409 slot_taken

    for side, headers, stranger in (("guest", ann, ben), ("agent", alice, carol)):
        change, cancel = ("patch", f"/api/{side}/meetings/{{id}}"), ("delete", f"/api/{side}/meetings/{{id}}")
        await call(*change, stranger, mid, {"duration": 30})  # 404
        await call(*change, headers, mid, {"start": TUE_11})  # 409 slot_taken: the other meeting is there
        await call(*change, headers, mid, {"duration": 7})  # 400 invalid_duration
        await call(*change, headers, mid, {"start": "tomorrow"})  # 400 invalid_start
        await call(*cancel, stranger, mid)  # 404
        await call(*change, headers, mid, {"duration": 30})  # 200
    await call("get", "/api/agent/meetings/{id}", alice, mid)  # 200
    at_12 = {**at_11, "start": "2026-11-24T11:00:00Z"}
    third = (await call("post", "/api/agent/meetings", alice, body=at_12))["meeting"]["id"]
    await call("delete", "/api/agent/meetings/{id}", alice, third)  # 200
    await call("delete", "/api/guest/meetings/{id}", ann, mid)  # 200
    for side, headers in (("guest", ann), ("agent", alice)):
        await call("patch", f"/api/{side}/meetings/{{id}}", headers, mid, {"duration": 30})  # 409 cancelled
        await call("delete", f"/api/{side}/meetings/{{id}}", headers, mid)  # 409 cancelled
    runtime.clock.set(datetime(2026, 11, 24, 10, 5, tzinfo=UTC))  # the other meeting has started
    for side, headers in (("guest", ann), ("agent", alice)):
        await call("patch", f"/api/{side}/meetings/{{id}}", headers, other, {"duration": 60})  # 400 in past
        await call("delete", f"/api/{side}/meetings/{{id}}", headers, other)  # 400 meeting_in_past
    # A calendar Convene cannot read never looks free: 503.
    await connect(
        runtime,
        "bob",
        credentials={"token": "expired", "refresh_token": "revoked-refresh", "expiry": "2000-01-01T00:00:00"},
    )
    later = (runtime.clock.now() + timedelta(days=1)).replace(hour=9, minute=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    await call("post", "/api/guest/meetings", ann, body={**booking, "agent": "bob", "start": later})

    document = await (await client.get("/api/openapi.json")).json()
    for method, path in ROUTES:
        promised = documented(document, method, path)
        assert promised <= seen[(method, path)], (method, path, promised - seen[(method, path)])
    assert (409, "meeting_cancelled") in seen[("patch", "/api/guest/meetings/{id}")]
    assert (400, "meeting_cancelled") not in set().union(*seen.values())
