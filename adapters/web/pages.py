"""HTML pages: the demo site with the widget, the inbox, the widget script itself."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static"
routes = web.RouteTableDef()


def _file(name: str, content_type: str) -> web.FileResponse:
    response = web.FileResponse(STATIC / name)
    response.content_type = content_type
    response.headers["Cache-Control"] = "no-cache"
    return response


def page(name: str) -> web.FileResponse:
    """An HTML page of ours (its scripts and styles are files: nothing inline)."""
    return _file(name, "text/html")


@routes.get("/")
async def demo(request: web.Request) -> web.FileResponse:
    return _file("demo.html", "text/html")


@routes.get("/widget.js")
async def widget(request: web.Request) -> web.FileResponse:
    response = _file("widget.js", "application/javascript")
    # Any website may embed the widget.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@routes.get("/chat/{slug}")
async def personal_chat(request: web.Request) -> web.FileResponse:
    """An agent's personal chat link: the widget's modules, full page, talking to that agent."""
    return _file("chat.html", "text/html")


@routes.get("/inbox")
async def inbox(request: web.Request) -> web.FileResponse:
    return _file("inbox.html", "text/html")


@routes.get("/inbox/login")
async def inbox_login(request: web.Request) -> web.FileResponse:
    return _file("inbox.html", "text/html")


@routes.get("/favicon.ico")
async def favicon(request: web.Request) -> web.FileResponse:
    """Browsers ask for it on every site; an icon (not a 404 in every log) also marks the tab."""
    response = web.FileResponse(STATIC / "favicon.ico")
    response.content_type = "image/x-icon"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@routes.get("/inbox/c/{conversation}")
@routes.get("/inbox/c/{conversation}/m/{message}")
async def inbox_deep_link(request: web.Request) -> web.FileResponse:
    """A deep link (bot.links) is the inbox page; its script opens the conversation and message."""
    return _file("inbox.html", "text/html")
