"""Pure ASGI middleware (contextvars survive it): request ids, bearer tokens, rate limits."""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
import time
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings
from resolvers.tokens import TokenError, read_access

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
log = logging.getLogger("youthlink.http")


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and reads its bearer token.

    The token is only decoded here; the Principal (account, session, grants) is loaded from
    the database with the request's own session, so a revocation holds at once."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = (
            incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else secrets.token_hex(8)
        )
        token = request_id_var.set(rid)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        state["auth"] = self._read_token(headers.get(b"authorization", b"").decode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)

    def _read_token(self, header: str) -> object:
        scheme, _, value = header.partition(" ")
        if not value or scheme.lower() != "bearer":
            return None
        try:
            return read_access(self.settings, value.strip())
        except TokenError as exc:
            return exc


class RateLimitMiddleware:
    """A sliding one-minute window per client address; beyond it, 429 with RATE_LIMITED.
    (Login and one-time codes have their own, stricter limits in the database.)"""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app, self.per_minute = app, per_minute
        self.hits: dict[str, deque[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0:
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        now = time.monotonic()
        window = self.hits.setdefault(client, deque())
        while window and window[0] < now - 60:
            window.popleft()
        if len(window) >= self.per_minute:
            retry = max(1, int(60 - (now - window[0])))
            body = json.dumps(
                {
                    "errors": [
                        {
                            "message": "请求过于频繁，请稍后再试",
                            "extensions": {"code": "RATE_LIMITED", "retryAfter": retry},
                        }
                    ]
                },
                ensure_ascii=False,
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json; charset=utf-8"),
                        (b"retry-after", str(retry).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        window.append(now)
        if len(self.hits) > 100_000:  # forget idle clients
            self.hits = {k: v for k, v in self.hits.items() if v and v[-1] > now - 60}
        await self.app(scope, receive, send)
