"""The assistant's link in an event the organiser made in Outlook, found by its iCalendar UID.

Graph exposes the UID as ``iCalUId`` and filters on it. The line goes at the end of the body once
(HTML bodies get a paragraph, text bodies a line); a later run finds the marker and changes nothing.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from adapters.calendars.microsoft.graph import GraphClient


async def link_event(graph: GraphClient, user_id: str, ical_uid: str, line: str, marker: str) -> bool:
    """False when the organiser's mailbox has no such event (yet)."""
    uid = ical_uid.replace("'", "''")  # OData string literal
    page = await graph.request(
        user_id,
        "GET",
        f"users/{quote(user_id)}/events",
        params={"$filter": f"iCalUId eq '{uid}'", "$select": "id,body,isCancelled"},
    )
    events = [e for e in page.get("value", []) if not e.get("isCancelled")]
    for event in events:
        body = event.get("body") or {}
        content, kind = str(body.get("content") or ""), str(body.get("contentType") or "text")
        if marker in content or html.escape(marker) in content:
            continue
        if kind.lower() == "html":
            content += f"<p>{html.escape(line)}</p>"
        else:
            content = f"{content}\n\n{line}".strip()
        await graph.request(
            user_id,
            "PATCH",
            f"users/{quote(user_id)}/events/{quote(str(event['id']))}",
            json={"body": {"contentType": kind, "content": content}},
        )
    return bool(events)
