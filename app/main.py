"""The Starlette app: Strawberry's GraphQL mounted beside health checks and static files."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import gc
import hmac
import logging
import random
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import orjson
import sqlalchemy as sa
from cross_web import HTTPException
from graphql import OperationType, get_operation_ast
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http import async_base_view as strawberry_view
from strawberry.http.parse_content_type import parse_content_type as _parse_content_type

from app.db import DriverPool, make_engine, make_sessionmaker, resolve_database_url
from app.embedded import to_async_url
from app.events import EventHub
from app.graphiql import offline_graphiql_html
from app.jobs import Runtime, keep_worker
from app.looplag import sample_lag
from app.middleware import Gateway, error_response, request_failure
from app.persisted import PersistedQueries, PersistedQueryError, load_manifest
from app.ratelimit import Limits, make_limits
from app.replica import LSN_HEADER, ReadRouting, primary_lsn
from app.settings import ROOT, Settings, get_settings
from app.web import web_routes
from authz import PolicyStore, Principal, load_principal
from authz.sync import PolicyListener
from resolvers.base import Ctx
from resolvers.tokens import AccessClaims, TokenError, read_access
from schema import build_schema
from schema.context import Context

log = logging.getLogger("youthlink")


def front_end_of(request: Any) -> str:
    """Which of our front ends sent a request, from what the browser itself adds: a page of
    ours at /m/ (the phone pages) or elsewhere on our origin (the console) in the Referer of
    a same-origin request; anything else is the raw API. Pages cannot set another path of
    ours in the Referer than their own, and no login flag enters into it (手机端使用, 附件1
    4.4). A client outside a browser can still send any header: the limit is written in
    docs/assessment.md."""
    referer: str | None = None
    host: str | None = None
    # The scope's own list (the first of each, as Starlette's Headers.get): no Headers built.
    for name, value in request.scope.get("headers") or ():
        if name == b"referer" and referer is None:
            referer = value.decode("latin-1")
        elif name == b"host" and host is None:
            host = value.decode("latin-1")
    if not referer or not host:
        return "API"
    from urllib.parse import urlsplit

    parts = urlsplit(referer)
    if parts.netloc != host:
        return "API"
    return "MOBILE" if parts.path == "/m" or parts.path.startswith("/m/") else "WEB"


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    reader: async_sessionmaker[AsyncSession]  # operations that only query (app/db.py)
    policy: PolicyStore
    listener: PolicyListener
    hub: EventHub
    limits: Limits
    # Which process answered (readyz): `serve --workers N` runs N of them on one port.
    instance: str = field(default_factory=lambda: secrets.token_hex(6))
    # Queries on a streaming replica when DATABASE_REPLICA_URL is set (app/replica.py).
    reads: ReadRouting | None = None
    # The principal's statement, run on every request (app/db.py); started by the lifespan.
    fixed: DriverPool = field(init=False)


class GraphQLView(GraphQL):
    def __init__(self, services: Services, **kwargs: Any) -> None:
        s = services.settings
        super().__init__(
            build_schema(
                max_depth=s.graphql_max_depth,
                max_aliases_count=s.graphql_max_aliases,
                max_tokens=s.graphql_max_tokens,
                max_cost=s.graphql_max_cost,
                page_size_default=s.page_size_default,
                page_size_max=s.page_size_max,
                introspection=s.graphql_introspection,
            ),
            **kwargs,
        )
        self.services = services
        self._transports: dict[str, Any] = {}
        self.persisted = PersistedQueries(
            only=s.persisted_queries_only,
            allowed=load_manifest(s.persisted_queries_file) if s.persisted_queries_file else None,
        )

    def encode_json(self, data: object) -> str:
        # orjson: several times json's speed; text (not bytes) so WebSocket frames stay text.
        return orjson.dumps(data).decode()

    @property
    def graphql_ide_html(self) -> str:
        return offline_graphiql_html()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and self.services.settings.lean_http
            and self._posts_json(scope)
        ):
            await self.lean(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        try:
            return await super().run(request)
        except (HTTPException, PersistedQueryError) as exc:
            return await _refused(request, exc)

    async def lean(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The common request, a POST of JSON with one query or mutation whose document was
        parsed and validated without error before, from the scope to its JSON answer without
        strawberry's HTTP layer (request adapter, body parsing through several hooks, Response
        objects): for a small operation that layer cost more than the operation. The steps are
        strawberry's `run` for such a request, in its order (the context before the body's
        persisted query is resolved), through the same methods: get_context,
        persisted.resolve, execute_single (retries, remembering writes), process_result.
        Anything else (not JSON, batches, a document seen for the first time or invalid, a
        subscription) takes strawberry's `run` with the same Request, its body already read."""
        request = Request(scope, receive)
        data = self._usual(await _read_body(request))
        if data is None:
            response = await self.run(request)
            return await response(scope, receive, send)
        sub_response = await self.get_sub_response(request)
        try:
            context = await self.get_context(request, sub_response)
            extensions = data.get("extensions")
            result = await self.execute_single(
                request=request,
                request_adapter=_POSTED,
                sub_response=sub_response,
                context=context,
                root_value=None,
                request_data=GraphQLRequestData(
                    query=self.persisted.resolve(data.get("query"), extensions),
                    variables=data.get("variables"),
                    operation_name=data.get("operationName"),
                    extensions=extensions,
                ),
            )
        except (HTTPException, PersistedQueryError) as exc:
            response = await _refused(request, exc)
            return await response(scope, receive, send)
        answer = await self.process_result(request, result)
        if result.errors:
            self._handle_errors(result.errors, answer)
        await _send_json(send, orjson.dumps(answer), sub_response)

    def _posts_json(self, scope: Scope) -> bool:
        """Whether a POST's headers ask for what the lean path answers: a JSON body (as
        strawberry reads the Content-Type) and no streaming transport (Accept)."""
        content_type = accept = None
        for name, value in scope["headers"]:
            if name == b"content-type" and content_type is None:
                content_type = value.decode("latin-1")
            elif name == b"accept" and accept is None:
                accept = value.decode("latin-1")
        if "application/json" not in _content_type(content_type or "")[0]:
            return False
        return self._get_stream_transport_from_headers({"accept": accept or ""}) is None

    def _usual(self, body: bytes) -> dict[str, Any] | None:
        """The request body if the lean path answers it: one operation whose members have
        the types strawberry requires, its document known valid, a query or a mutation."""
        data = self._body_object(body)
        if data is None:
            return None
        name = data.get("operationName")
        if not (
            isinstance(data.get("query"), (str, type(None)))
            and isinstance(data.get("variables"), (dict, type(None)))
            and isinstance(data.get("extensions"), (dict, type(None)))
            and isinstance(name, (str, type(None)))
        ):
            return None
        prepared = self._prepared(data)
        if prepared is None or prepared.errors != ():
            return None
        operation = get_operation_ast(prepared.document, name)
        if operation is None or operation.operation not in _LEAN_OPERATIONS:
            return None
        return data

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET of a persisted query has no `query` either: it is an operation, not the IDE.
        # (The method first: a POST builds no query parameters.)
        return super().should_render_graphql_ide(request) and (
            "extensions" not in request.query_params
        )

    async def get_sub_response(self, request: Any) -> Response:
        return _SubResponse()

    def _get_stream_transport_from_headers(self, headers: Any) -> Any:
        """Which streaming transport the Accept header asks for: strawberry parses it through
        the email package on every request; it depends on the header's value alone."""
        accept = headers.get("accept", "")  # the first one, as strawberry's own lookup
        try:
            return self._transports[accept]
        except KeyError:
            if len(self._transports) >= 64:  # values are the client's: a few kept
                self._transports.clear()
            found = self._transports[accept] = super()._get_stream_transport_from_headers(
                {"accept": accept}
            )
            return found

    async def parse_http_body(self, request: Any) -> Any:
        """The document of a persisted query by its hash (or the allow-list's refusal)."""
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):
            data.query = self.persisted.resolve(data.query, data.extensions)
        return data

    def parse_json(self, data: str | bytes) -> Any:
        parsed = self._parsed(data)  # its JSONDecodeError is json's: the same refusal
        if not isinstance(parsed, (dict, list)):
            raise HTTPException(400, "The request body must be a JSON object")
        return parsed

    def _body_object(self, body: bytes) -> dict[str, Any] | None:
        """The request body if it is a JSON object (one operation), parsed once a request."""
        try:
            data = self._parsed(body, keep=True)
        except orjson.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _parsed(data: str | bytes, *, keep: bool = False) -> Any:
        """The request body parsed once a request: get_context (_only_queries) or the lean
        path parses it first, the view's parse of the same bytes a moment later reuses that."""
        known = _parsed_body.get()
        if known is not None and known[0] is data:
            return known[1]
        parsed = orjson.loads(data)
        if keep:
            _parsed_body.set((data, parsed))  # type: ignore[arg-type]
        return parsed

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        svc = self.services
        state = request.scope.setdefault("state", {})
        auth = state.get("auth")
        replica = await self._replica_session(request, auth)
        maker = svc.reader if await self._only_queries(request) else svc.sessionmaker
        # The request's session is opened when a resolver first needs one (resolvers/base.py
        # Ctx.session); a replica's is open already (it was asked what it has replayed).
        if isinstance(auth, AccessClaims):
            try:
                principal = await self._principal(auth, replica)
            except Exception:
                if replica is not None:
                    await replica.close()  # the database failed us before the operation began
                raise
            # The templates this principal is judged by are the ones in force now: the
            # version came in the same statement, and a stale cache is reloaded first.
            await svc.listener.ensure_version(principal.policy_version)
        elif isinstance(auth, TokenError):
            principal = Principal.anonymous(token_error=auth.reason)
        else:
            principal = Principal.anonymous()
        if request.scope["type"] == "websocket" and replica is not None:
            await replica.close()  # a subscription must not hold a connection while idle
        ctx = self._ctx(request, principal, opened=replica, open_session=maker)
        ctx.on_replica = replica is not None
        return Context(ctx=ctx, request=request, response=response, hub=svc.hub, limits=svc.limits)

    async def _principal(
        self, claims: AccessClaims, replica: AsyncSession | None = None
    ) -> Principal:
        """The caller, on the service's own small pool (app/db.py DriverPool). A query the
        replica answers reads it there too (its reads go on while the primary is down); an
        app run without its lifespan (which starts the pool) reads it on a session."""
        svc = self.services
        if replica is not None:
            return await load_principal(replica, claims.user_id, claims.session_id)
        if svc.fixed.pool is not None:
            return await load_principal(svc.fixed, claims.user_id, claims.session_id)
        async with svc.sessionmaker() as session:
            return await load_principal(session, claims.user_id, claims.session_id)

    async def _replica_session(self, request: Any, auth: object) -> AsyncSession | None:
        reads = self.services.reads
        if reads is None:
            return None
        user_id = auth.user_id if isinstance(auth, AccessClaims) else None
        return await reads.session_for(request, user_id)

    async def _only_queries(self, request: Any) -> bool:
        """Whether the request's document was seen before and what it runs only queries: such
        an operation needs no transaction (its session: app/db.py ReadSession). A document
        seen for the first time, a GET, anything unclear: the usual session."""
        if request.scope["type"] != "http" or request.method != "POST":
            return False
        data = self._body_object(await request.body())  # the body kept by Starlette for the view
        if data is None:
            return False
        prepared = self._prepared(data)
        if prepared is None or prepared.errors is None or prepared.errors:
            return False
        return bool(prepared.only_queries(data.get("operationName")))

    def _prepared(self, data: dict[str, Any]) -> Any:
        """The parsed document of a request's query text (or of its persisted hash), if the
        schema's document store has it (schema/documents.py Prepared)."""
        text = data.get("query")
        if text is None:
            text = self.persisted.peek(data.get("extensions"))
        return self.schema.documents.get(text) if isinstance(text, str) else None  # type: ignore[attr-defined]

    def _ctx(
        self,
        request: Any,
        principal: Principal,
        *,
        opened: AsyncSession | None = None,
        open_session: Any = None,
    ) -> Ctx:
        svc = self.services
        state = request.scope.setdefault("state", {})
        ctx = Ctx(
            principal=principal,
            policy=svc.policy,
            settings=svc.settings,
            opened=opened,
            open_session=open_session,
            sessionmaker=svc.sessionmaker,
            request_id=state.get("request_id", ""),
            client_ip=(request.scope.get("client") or ("", 0))[0],
            front_end=front_end_of(request),
            limits=svc.limits,
            json_fragments=True,  # the answer leaves through encode_json or the lean path
        )
        state["ctx"] = ctx  # its session closed by run() if the request is refused before executing
        return ctx

    async def execute_single(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """An operation that lost a deadlock or a serialization race was rolled back whole,
        so it is run again, with a fresh session, a bounded number of times (WRITE_RETRIES)
        before the client hears of it (SERVICE_UNAVAILABLE, reason WRITE_CONFLICT)."""
        context: Context = kwargs["context"]
        retries = self.services.settings.write_retries
        for attempt in range(retries + 1):
            context.retries_left, context.retry = retries - attempt, False
            result = await super().execute_single(**kwargs)
            if not context.retry:
                break
            old = context.ctx
            context.ctx = self._ctx(
                context.request, old.principal, open_session=self.services.sessionmaker
            )
            # A little jitter, growing, so that the two writers do not meet again at once.
            await asyncio.sleep(random.uniform(0, 0.02 * (attempt + 1)))
        await self._remember_write(kwargs)
        return result

    async def _remember_write(self, kwargs: dict[str, Any]) -> None:
        """After a caller's mutation, their next queries wait for the replica to replay it."""
        reads, context = self.services.reads, kwargs["context"]
        data = kwargs.get("request_data")
        user_id = context.ctx.principal.user_id
        if reads is None or user_id is None or data is None or not data.query:
            return
        if reads.kind_of(data.query, data.operation_name) is not OperationType.MUTATION:
            return
        lsn = await primary_lsn(self.services.sessionmaker)
        reads.wrote(user_id, lsn)
        response = kwargs.get("sub_response")
        if response is not None:
            response.headers[LSN_HEADER] = lsn

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        """Browsers cannot set headers on a WebSocket: the token may come in connection_init
        (`{"authorization": "Bearer …"}`). A subscription needs a valid login."""
        params = context.connection_params or {}
        header = str(params.get("authorization") or params.get("Authorization") or "")
        scheme, _, token = header.partition(" ")
        principal = context.ctx.principal
        if token and scheme.lower() == "bearer":
            try:
                claims = read_access(self.services.settings, token.strip())
            except TokenError:
                raise ConnectionRejectionError() from None
            principal = await self._principal(claims)
            context.ctx.principal = principal
        if not principal.is_authenticated:
            raise ConnectionRejectionError()


# The request body as get_context parsed it (a query, or a write?), for the view's parse of
# the same bytes a moment later in the same task; matched by identity, never another body.
_parsed_body: contextvars.ContextVar[tuple[bytes, Any] | None] = contextvars.ContextVar(
    "parsed_body", default=None
)


# What strawberry's execute_single reads of its request adapter, for a POST.
_POSTED = SimpleNamespace(method="POST")
_LEAN_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


async def _read_body(request: Request) -> bytes:
    """The whole body, read as Request.body() reads it and kept where body() and stream()
    look first (their async generator and its closing cost more than reading a small body)."""
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            request._is_disconnected = True
            raise ClientDisconnect()
        if message["type"] != "http.request":
            continue
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    request._stream_consumed = True
    body = request._body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return body


async def _refused(request: Any, exc: HTTPException | PersistedQueryError) -> Response:
    """A request refused before any operation (bad JSON, batching, no query, a persisted
    query refused …) answers a GraphQL error with a code, not English plain text; its
    session is closed."""
    await _close_session(request)
    if isinstance(exc, HTTPException):
        return request_failure(exc.status_code, exc.reason)
    return error_response(exc.status, exc.code, exc.message, **exc.extensions)


async def _send_json(send: Send, body: bytes, sub_response: Response) -> None:
    """The answer as strawberry's create_response and Starlette's Response send it: the
    same headers in the same order, then what the operation added (the replica's LSN …),
    its status if it set one, its background task after the body."""
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", b"application/json"),
        *sub_response.raw_headers,
    ]
    status = sub_response.status_code or 200
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    if sub_response.background is not None:
        await sub_response.background()


class _SubResponse(Response):
    """What an operation adds to its answer (headers such as the replica's LSN, a status):
    strawberry's is a whole Response, rendered, its content-length then deleted, per request."""

    def __init__(self) -> None:
        self.status_code = None  # type: ignore[assignment]
        self.background = None
        self.body = b""
        self.raw_headers = []


@functools.lru_cache(maxsize=64)
def _content_type(content_type: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    mime, params = _parse_content_type(content_type)
    return mime, tuple(params.items())


def _cached_content_type(content_type: str) -> tuple[str, dict[str, str]]:
    """strawberry parses the Content-Type through the email package on every request (5 µs
    of a 200 µs request); clients send the same few values again and again."""
    mime, params = _content_type(content_type)
    return mime, dict(params)


strawberry_view.parse_content_type = _cached_content_type


async def _close_session(request: Any) -> None:
    ctx = request.scope.get("state", {}).pop("ctx", None)
    if ctx is not None:
        await ctx.close_session()


async def _stop(task: asyncio.Task[Any] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _replica_engine(settings: Settings) -> AsyncEngine | None:
    if not settings.database_replica_url:
        return None
    return make_engine(to_async_url(settings.database_replica_url), settings)


def _cors(settings: Settings) -> list[Middleware]:
    """Only the configured origins may call from a browser page of another origin; none by
    default. Outermost, so that preflights and refusals (429, 503) carry the headers too."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "idempotency-key", "x-request-id"],
            expose_headers=["x-request-id", "retry-after", "content-disposition"],
            max_age=600,
        )
    ]


def create_app(
    settings: Settings | None = None, database_url: str | None = None, *, worker: bool = False
) -> Starlette:
    """The service; with `worker`, a procrastinate worker for the scheduled jobs runs in the
    same process (`make run`; in production run `youthlink worker` beside the servers)."""
    settings = (settings or get_settings()).ready_to_serve()
    url = database_url or resolve_database_url(settings)
    engine = make_engine(url, settings)
    policy = PolicyStore()
    fixed = DriverPool(url, settings)
    services = Services(
        settings,
        engine,
        make_sessionmaker(engine),
        make_sessionmaker(engine, read_only=True, fixed=fixed),
        policy,
        PolicyListener(engine, policy),
        EventHub(engine),
        make_limits(settings, engine),
    )
    services.fixed = fixed
    replica = _replica_engine(settings)
    if replica is not None:
        services.reads = ReadRouting(make_sessionmaker(replica), settings.graphql_max_tokens)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.fixed.start()
        await services.listener.start()
        await services.hub.start()
        lag = asyncio.create_task(sample_lag(), name="loop-lag")
        jobs = (
            asyncio.create_task(
                keep_worker(
                    url, Runtime(services.sessionmaker, settings), name=f"web-{services.instance}"
                ),
                name="jobs-worker",
            )
            if worker
            else None
        )
        # What start-up built (schema, mappers, modules) lives as long as the process: out of
        # the collector's sight, a full collection no longer walks it during requests
        # (measured: most of a 50-row list's object creation time was collections).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await _stop(jobs)
            await _stop(lag)
            await services.hub.stop()
            await services.listener.stop()
            await services.limits.close()
            await services.fixed.close()
            await engine.dispose()
            if replica is not None:
                await replica.dispose()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": False}, status_code=503)
        return JSONResponse(
            {
                "status": "ok",
                "database": True,
                "policyVersion": policy.version,
                "instance": services.instance,
            }
        )

    async def metrics(request: Request) -> Response:
        if not settings.metrics_token:
            return Response(status_code=404)  # not exposed unless an operator set a token
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), settings.metrics_token.encode()
        ):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        from resolvers.operations import export_metrics
        from schema.metrics import POOL_CHECKED_OUT, POOL_SIZE

        try:
            async with services.sessionmaker() as session:
                await export_metrics(session)
        except Exception as exc:  # the database away: the rest of the figures still answer
            log.warning("job metrics not read: %s", exc)

        pool = engine.sync_engine.pool
        POOL_CHECKED_OUT.set(pool.checkedout())  # type: ignore[attr-defined]
        POOL_SIZE.set(pool.size())  # type: ignore[attr-defined]
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def download(request: Request) -> Response:
        """GET /files/<token>: an export's file, once, until its link expires."""
        from authz.errors import DomainError
        from resolvers import downloads

        state = request.scope.get("state", {})
        try:
            file = await downloads.fetch(
                services.sessionmaker,
                settings,
                request.path_params["token"],
                state.get("request_id", ""),
            )
        except DomainError as exc:
            status = {"NOT_FOUND": 404, "SERVICE_UNAVAILABLE": 503}.get(exc.code, 410)
            return error_response(status, exc.code, exc.message, **exc.details)
        headers = {
            "content-disposition": downloads.content_disposition(file.filename, file.download_id),
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        }
        if file.stored is not None:  # from the object store, chunk by chunk
            headers["content-length"] = str(file.stored.size)
            return StreamingResponse(
                iterate_in_threadpool(file.stored.chunks),
                media_type=file.content_type,
                headers=headers,
            )
        return Response(file.content, media_type=file.content_type, headers=headers)

    graphql = GraphQLView(services)
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/files/{token}", download, methods=["GET"]),
            Route("/graphql", graphql),  # other methods: a JSON error from the view
            WebSocketRoute("/graphql", graphql),
            Mount("/static", StaticFiles(directory=ROOT / "app" / "static"), name="static"),
            *web_routes(settings.web_dir),  # last: the console's client routes catch what is left
        ],
        middleware=[
            *_cors(settings),
            Middleware(
                Gateway,
                settings=settings,
                limits=services.limits,
                per_minute=settings.rate_limit_per_minute,
                direct={"/graphql": graphql},
            ),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    return app
