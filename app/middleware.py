"""Pure ASGI middleware (contextvars survive it): request ids, bearer tokens, rate limits."""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
import time
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.ratelimit import Limits
from app.settings import Settings
from resolvers.tokens import TokenError, read_access

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
log = logging.getLogger("youthlink.http")


class Gateway:
    """The service's own layer, pure ASGI (contextvars survive it), one frame for every
    request: its id (echoed as X-Request-ID) and bearer token, the metrics, the errors that
    escape the app and the per-address rate limit, in that order. `direct` hands an HTTP
    request for one of its paths straight to that path's ASGI app, past Starlette's
    exception layer and route matching, which do nothing for it (POST /graphql: the view
    answers every method and refusal itself; its fixed cost is every operation's).

    The token is only decoded here; the Principal (account, session, grants) is loaded from
    the database on every request, so a revocation holds at once."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        limits: Limits,
        per_minute: int,
        direct: dict[str, ASGIApp] | None = None,
    ) -> None:
        self.app, self.settings = app, settings
        self.limits, self.per_minute = limits, per_minute
        self.direct = direct or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            token = self._enter(scope)
            try:
                return await self.app(scope, receive, send)
            finally:
                request_id_var.reset(token)
        if kind != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        # The router matches the path below a root path: only without one is it this path.
        app = self.app if scope.get("root_path") else self.direct.get(path, self.app)
        token = self._enter(scope)
        request_id = (b"x-request-id", scope["state"]["request_id"].encode())
        status, started = 500, False
        begun = time.perf_counter()

        async def watch(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started, status = True, message["status"]
                message["headers"] = [*message.get("headers", ()), request_id]
            await send(message)

        try:
            try:
                if self.per_minute <= 0 or not await self._limited(scope, watch):
                    await app(scope, receive, watch)
            except Exception as exc:
                if started:
                    raise
                await _unexpected(watch, exc)
        finally:
            request_id_var.reset(token)
            _count(scope["method"], path, status, time.perf_counter() - begun)

    def _enter(self, scope: Scope) -> contextvars.Token[str]:
        """The request's id (the client's own, if sane) and what its bearer token says."""
        headers = dict(scope.get("headers") or ())
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = (
            incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else secrets.token_hex(8)
        )
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        state["auth"] = self._read_token(headers.get(b"authorization", b"").decode("latin-1"))
        return request_id_var.set(rid)

    def _read_token(self, header: str) -> object:
        scheme, _, value = header.partition(" ")
        if not value or scheme.lower() != "bearer":
            return None
        try:
            return read_access(self.settings, value.strip())
        except TokenError as exc:
            return exc

    async def _limited(self, scope: Scope, send: Send) -> bool:
        """A one-minute window per client address, shared by every instance; beyond it, 429
        with RATE_LIMITED. (Login, one-time codes and expensive operations have their own,
        stricter limits.)"""
        client = (scope.get("client") or ("unknown", 0))[0]
        retry = await self.limits.hit(f"ip:{client}", self.per_minute)
        if retry is None:
            return False
        await _json_error(send, 429, "RATE_LIMITED", "请求过于频繁，请稍后再试", retry_after=retry)
        return True


async def _unexpected(send: Send, exc: Exception) -> None:
    """Whatever escaped the app before it answered (the database down before an operation
    began, say) leaves as JSON with a code, never a bare 500 page or a stack trace."""
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


# Requests by path and status, and their latency (paths are few and fixed here). The
# labelled children, looked up once: `labels()` costs more than the count itself.
_PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _count(method: str, path: str, status: int, seconds: float) -> None:
    key = (method, path if path in _PATHS else "other", status)
    children = _children.get(key)
    if children is None:
        from schema.metrics import HTTP_REQUESTS, HTTP_SECONDS

        if len(_children) >= 1024:  # methods are the client's to choose: kept bounded
            _children.clear()
        children = (HTTP_REQUESTS.labels(key[0], key[1], str(status)), HTTP_SECONDS.labels(key[1]))
        _children[key] = children
    children[0].inc()
    children[1].observe(seconds)


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
