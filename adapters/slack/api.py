"""Calls to the Slack Web API with Slack's posting rules: about one message per second per channel,
and a 429 answer pauses that channel for ``Retry-After`` seconds before the call is tried again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

Sleep = Callable[[float], Awaitable[None]]
MAX_RATE_LIMIT_RETRIES = 3
MAX_INLINE_WAIT_SECONDS = 30.0  # longer pauses are left to the outbox's own retry schedule


class RateLimited(Exception):
    """Slack asked for a longer pause than we wait inline; the outbox retries later."""

    def __init__(self, method: str, retry_after: float) -> None:
        super().__init__(f"{method}: rate limited for {retry_after:.0f}s")
        self.retry_after = retry_after


class ChannelLimiter:
    """Spaces posts to one Slack channel; different channels never wait for each other."""

    def __init__(
        self,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def pause(self, channel: str, seconds: float) -> None:
        self._next[channel] = max(self._next.get(channel, 0.0), self._monotonic() + seconds)

    async def run(self, channel: str, call: Callable[[], Awaitable[Any]]) -> Any:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:  # one post at a time per channel keeps the spacing exact
            wait = self._next.get(channel, 0.0) - self._monotonic()
            if wait > 0:
                await self.sleep(wait)
            try:
                return await call()
            finally:
                self.pause(channel, self.interval)


def retry_after(error: SlackApiError) -> float | None:
    response = error.response
    if response.status_code != 429:
        return None
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    raw = headers.get("retry-after", "1")
    if isinstance(raw, list):
        raw = raw[0]
    try:
        return max(0.0, float(raw))
    except (TypeError, ValueError):
        return 1.0


class SlackApi:
    """The few Web API methods the channel uses, each rate-aware."""

    def __init__(self, client: AsyncWebClient, limiter: ChannelLimiter) -> None:
        self.client = client
        self.limiter = limiter

    async def _call(
        self,
        limit: str | None,
        method: str,
        call: Callable[..., Awaitable[AsyncSlackResponse]],
        /,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """A 429 means Slack did not act on the call, so trying it again cannot post twice."""
        for _attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            try:
                if limit is not None:
                    response = await self.limiter.run(limit, lambda: call(**kwargs))
                else:
                    response = await call(**kwargs)
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as error:
                wait = retry_after(error)
                if wait is None:
                    raise
                if wait > MAX_INLINE_WAIT_SECONDS:
                    raise RateLimited(method, wait) from error
                if limit is not None:
                    self.limiter.pause(limit, wait)
                else:
                    await self.limiter.sleep(wait)
        raise RateLimited(method, 0)

    async def post(self, channel: str, **kwargs: Any) -> dict[str, Any]:
        return await self._call(
            channel, "chat.postMessage", self.client.chat_postMessage, channel=channel, **kwargs
        )

    async def update(self, channel: str, ts: str, **kwargs: Any) -> dict[str, Any]:
        # chat.update is not under the one-per-second posting rule, only under 429s.
        return await self._call(
            None, "chat.update", self.client.chat_update, channel=channel, ts=ts, **kwargs
        )

    async def ephemeral(self, channel: str, user: str, text: str, **kwargs: Any) -> dict[str, Any]:
        return await self._call(
            None,
            "chat.postEphemeral",
            self.client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=text,
            **kwargs,
        )

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        return await self._call(None, "views.open", self.client.views_open, trigger_id=trigger_id, view=view)

    async def update_view(
        self, view_id: str, view: dict[str, Any], hash_: str | None = None
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"view_id": view_id, "view": view}
        if hash_:
            kwargs["hash"] = hash_
        return await self._call(None, "views.update", self.client.views_update, **kwargs)

    async def user_by_email(self, email: str) -> str | None:
        """The Slack user with this address (for a direct message), or None when there is none."""
        try:
            data = await self._call(None, "users.lookupByEmail", self.client.users_lookupByEmail, email=email)
        except SlackApiError as error:
            if (
                isinstance(error.response.data, dict)
                and error.response.data.get("error") == "users_not_found"
            ):
                return None
            raise
        user_id = (data.get("user") or {}).get("id")
        return user_id if isinstance(user_id, str) and user_id else None

    async def user_email(self, user_id: str) -> str | None:
        data = await self._call(None, "users.info", self.client.users_info, user=user_id)
        profile = (data.get("user") or {}).get("profile") or {}
        email = profile.get("email")
        return email if isinstance(email, str) and email else None
