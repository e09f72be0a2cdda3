"""Pure ASGI middleware (contextvars survive it): request ids, bearer tokens, rate limits."""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
import time
from typing import ClassVar

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.ratelimit import Limits
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
    """A one-minute window per client address, shared by every instance; beyond it, 429
    with RATE_LIMITED. (Login, one-time codes and expensive operations have their own,
    stricter limits.)"""

    def __init__(self, app: ASGIApp, limits: Limits, per_minute: int) -> None:
        self.app, self.limits, self.per_minute = app, limits, per_minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0:
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        retry = await self.limits.hit(f"ip:{client}", self.per_minute)
        if retry is not None:
            await _json_error(
                send, 429, "RATE_LIMITED", "请求过于频繁，请稍后再试", retry_after=retry
            )
            return
        await self.app(scope, receive, send)


class ErrorMiddleware:
    """Whatever escapes the app (the database down before an operation began, say) leaves as
    JSON with a code, never a bare 500 page or a stack trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            from schema.extensions import _unavailable

            unavailable = _unavailable(exc)
            if unavailable:
                log.warning(
                    "%s %s before the operation (request %s)",
                    unavailable.code,
                    unavailable.reason,
                    request_id_var.get(),
                )
                await _json_error(
                    send,
                    503,
                    unavailable.code,
                    unavailable.message,
                    retry_after=unavailable.retry_after or 5,
                    reason=unavailable.reason,
                )
            else:
                log.error("unexpected error (request %s)", request_id_var.get(), exc_info=exc)
                await _json_error(send, 500, "INTERNAL_SERVER_ERROR", "服务器内部错误，请稍后再试")


def error_body(code: str, message: str, **extensions: object) -> bytes:
    """A GraphQL error response, for failures that happen outside any operation."""
    ext: dict[str, object] = {"code": code, **extensions, "requestId": request_id_var.get()}
    return json.dumps(
        {"errors": [{"message": message, "extensions": ext}]}, ensure_ascii=False
    ).encode()


def error_response(status: int, code: str, message: str, **extensions: object) -> Response:
    return Response(
        error_body(code, message, **extensions),
        status_code=status,
        media_type="application/json; charset=utf-8",
    )


async def _json_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    retry_after: int | None = None,
    **extensions: object,
) -> None:
    from schema.metrics import GRAPHQL_ERRORS

    GRAPHQL_ERRORS.labels(code).inc()  # counted like the errors of an operation
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    ext: dict[str, object] = {k: v for k, v in extensions.items() if v}
    if retry_after is not None:
        ext["retryAfter"] = retry_after
        headers.append((b"retry-after", str(retry_after).encode()))
    body = error_body(code, message, **ext)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# Strawberry refuses a malformed request with an English plain-text reason; each becomes a
# GraphQL error with code BAD_REQUEST, a reason a client can act on, and a zh-CN message.
_REQUEST_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("Batching", "BATCH_NOT_SUPPORTED", "不支持批量请求，请每次只发送一个操作"),
    ("parse request body as JSON", "INVALID_JSON", "请求体不是有效的 JSON"),
    ("must be a JSON object", "INVALID_JSON", "请求体应为 JSON 对象"),
    ("Unsupported content type", "UNSUPPORTED_CONTENT_TYPE", "请用 application/json 发送请求"),
    ("No GraphQL query", "MISSING_QUERY", "请求中没有 GraphQL 查询（query）"),
    ("must be a string or null", "INVALID_BODY", "query 应为字符串"),
    ("must be an object or null", "INVALID_BODY", "variables 和 extensions 应为 JSON 对象"),
    ("not allowed when using", "METHOD_NOT_ALLOWED", "变更（mutation）和订阅只能用 POST 发送"),
    ("only supports GET and POST", "METHOD_NOT_ALLOWED", "只支持 GET 和 POST 请求"),
    ("operation", "UNKNOWN_OPERATION", "找不到要执行的操作，请检查 operationName"),
)


def request_failure(status: int, english_reason: str) -> Response:
    if status == 404:
        return error_response(404, "NOT_FOUND", "页面不存在")
    for marker, reason, message in _REQUEST_FAILURES:
        if marker in english_reason:
            return error_response(status, "BAD_REQUEST", message, reason=reason)
    return error_response(status, "BAD_REQUEST", "请求格式有误", reason="INVALID_BODY")


class MetricsMiddleware:
    """Requests by path and status, and their latency (paths are few and fixed here)."""

    PATHS: ClassVar[set[str]] = {"/graphql", "/healthz", "/readyz", "/metrics"}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from schema.metrics import HTTP_REQUESTS, HTTP_SECONDS

        path = scope["path"] if scope["path"] in self.PATHS else "other"
        status = 500
        started = time.perf_counter()

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            HTTP_REQUESTS.labels(scope["method"], path, str(status)).inc()
            HTTP_SECONDS.labels(path).observe(time.perf_counter() - started)
