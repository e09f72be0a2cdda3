"""One transaction per operation, and errors with stable codes (unexpected ones masked)."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa
from graphql import DocumentNode, ExecutionResult, FieldNode, GraphQLError, Node
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema._graphql_core import execute, execution_context_class_kwargs
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionContext as StrawberryContext
from strawberry.types.execution import ExecutionResult as Result
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe

from authz.errors import DomainError
from schema.limits import EXPENSIVE, code_for
from schema.metrics import GRAPHQL_ERRORS, WRITE_RETRIES

if TYPE_CHECKING:
    # What strawberry's ExecutionContext.result holds (graphql-core's results, its own).
    from strawberry.schema._graphql_core import GraphQLExecutionResult
    from strawberry.types import ExecutionResult as StrawberryResult

log = logging.getLogger("youthlink.graphql")


def _code_for_validation(message: str) -> tuple[str, str]:
    """GraphQL-level failures (before any resolver ran): the code each one gets, and the
    zh-CN beginning of its message."""
    known = code_for(message)
    if known:
        return known
    if "introspection" in message.lower():
        return "FORBIDDEN", "查询无效："
    return "GRAPHQL_VALIDATION_FAILED", "查询无效："


# By the document's identity (a document hashes its whole tree): the document store hands
# back the same object for the same text. Holding the document keeps its id from reuse.
_expensive_seen: dict[int, tuple[DocumentNode, bool]] = {}


def expensive_fields(document: DocumentNode) -> bool:
    """Whether the document asks for an expensive field; walked once per document."""
    seen = _expensive_seen.get(id(document))
    if seen is not None and seen[0] is document:
        return seen[1]
    found = any(
        isinstance(node, FieldNode) and node.name.value in EXPENSIVE for node in _walk(document)
    )
    if len(_expensive_seen) >= 1024:
        _expensive_seen.clear()
    _expensive_seen[id(document)] = (document, found)
    return found


def _walk(node: object) -> Iterator[object]:
    yield node
    for key in getattr(node, "keys", ()):
        value = getattr(node, key, None)
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, Node):
                    yield from _walk(item)
        elif isinstance(value, Node):
            yield from _walk(value)


class OperationExtension(SchemaExtension):
    """One transaction per operation; idempotent replays; per-principal limits on expensive
    fields; errors with codes."""

    def __init__(self) -> None:
        self.idempotency: tuple[str, str] | None = None  # (key, request hash)
        self.replayed = False

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        context = ec.context
        ctx = getattr(context, "ctx", None)
        if ctx is not None and ec.graphql_document is not None:
            ctx.querying = ec.operation_type == OperationType.QUERY
            await self._limit_expensive(context, ctx)
            if ec.operation_type == OperationType.MUTATION:
                await self._replay(context, ctx)
        yield

    async def _limit_expensive(self, context: object, ctx: object) -> None:
        limits = getattr(context, "limits", None)
        principal = getattr(ctx, "principal", None)
        if limits is None or principal is None or principal.user_id is None:
            return
        if expensive_fields(self.execution_context.graphql_document):  # type: ignore[arg-type]
            retry = await limits.hit(
                f"expensive:{principal.user_id}",
                ctx.settings.expensive_per_minute,  # type: ignore[attr-defined]
            )
            if retry is not None:
                from authz.errors import RateLimited

                self.execution_context.result = _refusal(
                    RateLimited(f"统计和导出类查询过于频繁，请 {retry} 秒后再试", retry_after=retry)
                )

    async def _replay(self, context: object, ctx: object) -> None:
        from resolvers import idempotency

        if self.execution_context.result is not None:
            return  # refused already

        request = getattr(context, "request", None)
        headers = getattr(request, "headers", None) or {}
        try:
            key = idempotency.clean_key(headers.get(idempotency.HEADER))
            if key is None:
                return
            digest = idempotency.request_hash(
                self.execution_context.query or "", self.execution_context.variables
            )
            self.idempotency = (key, digest)
            stored = await idempotency.lookup(ctx, key, digest)  # type: ignore[arg-type]
        except DomainError as exc:
            self.execution_context.result = _refusal(exc)
            return
        except Exception as exc:  # the database failed the look-up: answered like any failure
            error = GraphQLError("idempotency look-up failed", original_error=exc)
            self.execution_context.result = ExecutionResult(data=None, errors=[error])
            return
        if stored is not None:
            self.replayed = True
            self.execution_context.result = ExecutionResult(data=stored, errors=None)

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        ec = self.execution_context
        context = ec.context
        result = ec.result
        errors = list(getattr(result, "errors", None) or [])
        ctx = getattr(context, "ctx", None)
        if ctx is not None:
            try:
                errors = await self._settle(ctx, result, errors)
            except Exception as exc:  # whatever failed here still leaves as an answer with a code
                errors.append(GraphQLError("settling the operation failed", original_error=exc))
                if result is not None:
                    result.data = None
                await _discard(ctx)
            await _flush_personal_reads(ctx)
            await _end(ctx)
        if result is None or not errors:
            return
        request_id = getattr(ctx, "request_id", "")
        if _replay_conflict(context, errors, request_id):
            result.errors = errors  # the view runs the operation again; nobody sees these
            return
        result.errors = [_present(e, request_id) for e in errors]
        for e in result.errors:
            GRAPHQL_ERRORS.labels((e.extensions or {}).get("code", "UNKNOWN")).inc()

    async def _settle(
        self,
        ctx: object,
        result: GraphQLExecutionResult | StrawberryResult | None,
        errors: list[GraphQLError],
    ) -> list[GraphQLError]:
        """Commit a mutation that succeeded, roll back anything else. A keyed write that
        failed, or whose commit failed, answers what a twin with its key committed."""
        ec = self.execution_context
        if errors and self.idempotency and not self.replayed:
            # A twin with the same key may have committed while this one ran into its writes.
            await _discard(ctx)
            stored = await self._stored(ctx)
            if stored is not None and result is not None:
                result.data, result.errors, errors = stored, None, []
                self.replayed = True
        commit = (
            not errors  # a document that did not parse has no operation type at all
            and ec.operation_type == OperationType.MUTATION
            and not self.replayed
        )
        if not commit:
            await _discard(ctx)
            return errors
        try:
            if self.idempotency and result is not None and result.data is not None:
                from resolvers import idempotency

                await idempotency.remember(ctx, *self.idempotency, result.data)  # type: ignore[arg-type]
            await ctx.session.commit()  # type: ignore[attr-defined]
        except Exception as exc:  # a commit that fails is the operation failing
            await _discard(ctx)
            stored = await self._stored(ctx) if self.idempotency else None
            if stored is not None and result is not None:
                result.data = stored
                return []
            if result is not None:
                result.data = None
            return [*errors, GraphQLError("commit failed", original_error=exc)]
        return errors

    def on_stream_result(self, result: object) -> Iterator[None]:
        """Each result of a subscription gets the same codes and masking."""
        errors = getattr(result, "errors", None)
        if errors:
            ctx = getattr(self.execution_context.context, "ctx", None)
            result.errors = [_present(e, getattr(ctx, "request_id", "")) for e in errors]  # type: ignore[attr-defined]
        yield

    async def _stored(self, ctx: object) -> dict | None:
        """The answer a concurrent request with the same key committed, if any (None too
        when the database cannot say: the client retries with its key and learns then)."""
        from resolvers import idempotency

        assert self.idempotency is not None
        try:
            return await idempotency.replay_after_race(
                ctx.sessionmaker,  # type: ignore[attr-defined]
                ctx.principal.user_id,  # type: ignore[attr-defined]
                *self.idempotency,
            )
        except Exception:
            log.warning("could not look for a twin's answer (request %s)", ctx.request_id)  # type: ignore[attr-defined]
            return None


async def _discard(ctx: object) -> None:
    """Roll back and give the connection back; a connection the database dropped has
    nothing to roll back, and that is not a second failure."""
    try:
        await ctx.close_session()  # type: ignore[attr-defined]
    except Exception:
        log.debug("closing a failed session", exc_info=True)


async def _end(ctx: object) -> None:
    """The request is over: field work graphql-core settles after the answer (siblings of a
    refused field) may not take a connection again (app/db.py RequestSession)."""
    try:
        await ctx.end_session()  # type: ignore[attr-defined]
    except Exception:
        log.debug("ending a session", exc_info=True)


def _replay_conflict(context: object, errors: list[GraphQLError], request_id: str) -> bool:
    """A deadlock or a serialization failure rolled the whole transaction back, so running
    the operation again is safe: ask the view to, while it has retries left. A query that
    wrote in its own session on the replica (read-only) runs again on the primary."""
    if getattr(getattr(context, "ctx", None), "on_replica", False) and any(
        e.original_error and _read_only(e.original_error) for e in errors
    ):
        # A safety net: a query that writes in its own session declares it (schema/writes.py)
        # and never reaches the replica. Reaching here is a bug to fix, hence an error.
        context.retry = True  # type: ignore[attr-defined]
        log.error(
            "a query wrote on the replica without declaring it (request %s, field %s): "
            "run again on the primary; declare the field with metadata=WRITES",
            request_id,
            next((".".join(map(str, e.path or ())) for e in errors if e.path), "?"),
        )
        return True
    if getattr(context, "retries_left", 0) <= 0:
        return False
    if not any(e.original_error and _conflict(e.original_error) for e in errors):
        return False
    context.retry = True  # type: ignore[attr-defined]
    WRITE_RETRIES.inc()
    log.info("write conflict (request %s): running the operation again", request_id)
    return True


def _refusal(exc: DomainError) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(exc.message, original_error=exc)])


# models.PersonalDataRead's rows, one per whole value shown.
_LOG_READS = sa.text(
    "INSERT INTO personal_data_reads (youth_id, viewer_user_id, field, request_id)"
    " SELECT * FROM unnest(CAST(:youth AS bigint[]), CAST(:viewer AS bigint[]),"
    " CAST(:field AS text[]), CAST(:request AS text[]))"
)


async def _flush_personal_reads(ctx: object) -> None:
    """Whole-number reads are logged whatever became of the operation (a query rolls back)."""
    reads = getattr(ctx, "personal_reads", None)
    if not reads:
        return
    youth, viewer, field, request = (list(column) for column in zip(*reads, strict=True))
    try:
        async with ctx.sessionmaker() as session:  # type: ignore[attr-defined]
            # One statement for the page's rows: as ORM entities, a 50-row page's log cost
            # more CPU than the rest of the request (cProfile, bench/work.py's youth list).
            # It commits on its own (autocommit): one round trip, not BEGIN, it and COMMIT.
            conn = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            await conn.execute(
                _LOG_READS,
                {"youth": youth, "viewer": viewer, "field": field, "request": request},
            )
    except Exception:
        log.exception("could not record personal data reads")
    reads.clear()


def _present(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if original is None and (error.extensions or {}).get("code"):
        return error  # presented already
    if isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, DomainError):
        ext = {"code": original.code, **{_camel(k): v for k, v in original.details.items()}}
        return GraphQLError(original.message, nodes=error.nodes, path=error.path, extensions=ext)
    if original is None:
        code, prefix = _code_for_validation(error.message)
        code = (error.extensions or {}).get("code") or code
        prefix = "" if error.message.startswith("查询") else prefix
        return GraphQLError(
            prefix + error.message, nodes=error.nodes, path=error.path, extensions={"code": code}
        )
    if any(str(getattr(e, "sqlstate", "") or "").startswith("22") for e in _causes(original)):
        # A data exception (a number out of range, a NUL character …): the input's fault.
        return GraphQLError(
            "输入超出范围或含有不能保存的字符",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "BAD_USER_INPUT"},
        )
    unavailable = _unavailable(original)
    if unavailable:
        log.warning(
            "%s %s (request %s): %s",
            unavailable.code,
            unavailable.reason,
            request_id,
            type(original).__name__,
        )
        return GraphQLError(
            unavailable.message,
            nodes=error.nodes,
            path=error.path,
            extensions={**unavailable.extensions(), "requestId": request_id},
        )
    if error.path is None or _is_input_coercion(original):
        # Failed before any resolver ran: variables that do not coerce (an unknown enum …).
        return GraphQLError(
            f"输入有误：{error.message}",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "BAD_USER_INPUT"},
        )
    log.error("unexpected error (request %s)", request_id, exc_info=original)
    return GraphQLError(
        "服务器内部错误，请稍后再试",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def _camel(key: str) -> str:
    """Extension keys are camelCase like the rest of the API (retry_after → retryAfter)."""
    head, *rest = key.split("_")
    return head + "".join(w.title() for w in rest)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, what SQLAlchemy wrapped, and what caused those."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or e in seen:
            continue
        seen.append(e)
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return seen


# SQLSTATE classes: 08 connection exception, 57P0x operator intervention (shutdown, restart).
_GONE = ("08", "57P01", "57P02", "57P03")
_GONE_NAMES = (
    "connectiondoesnotexist",
    "cannotconnectnow",
    "connectionrefused",
    "interfaceerror",
    "adminshutdown",
    "crashshutdown",
    "postgresconnectionerror",
    # asyncpg's "another operation is in progress" on a connection the restart broke while
    # it sat in a pool (its goodbye read, its socket not yet closed).
    "internalclienterror",
)


class Unavailable(NamedTuple):
    code: str
    reason: str  # what to do about it ("" for TIMEOUT: narrow the query)
    message: str
    retry_after: int | None = None

    def extensions(self) -> dict[str, object]:
        ext: dict[str, object] = {"code": self.code}
        if self.reason:
            ext["reason"] = self.reason
        if self.retry_after is not None:
            ext["retryAfter"] = self.retry_after
        return ext


# SQLSTATE 40001 serialization failure, 40P01 deadlock: the transaction was rolled back whole.
_CONFLICT = ("40001", "40P01")


def _conflict(exc: BaseException) -> bool:
    return any(str(getattr(e, "sqlstate", "") or "") in _CONFLICT for e in _causes(exc))


def _read_only(exc: BaseException) -> bool:
    """SQLSTATE 25006: a write in a read-only transaction (a hot standby's)."""
    return any(str(getattr(e, "sqlstate", "") or "") == "25006" for e in _causes(exc))


def _unavailable(exc: BaseException) -> Unavailable | None:
    """Limits of the database answer with a code, never a 500: a statement over its time,
    a pool with no free connection, a database that went away (or is restarting), a write
    that lost a deadlock or serialization race more often than the server retries it."""
    import sqlalchemy.exc as sa_exc

    chain = _causes(exc)
    states = [str(getattr(e, "sqlstate", "") or "") for e in chain]
    names = " ".join(type(e).__name__.lower() for e in chain)
    if "57014" in states or "querycancelederror" in names:
        return Unavailable("TIMEOUT", "", "查询超时，请缩小范围后重试")
    if any(st in _CONFLICT for st in states):
        return Unavailable(
            "SERVICE_UNAVAILABLE", "WRITE_CONFLICT", "数据正被同时修改，请稍后重试", 1
        )
    if any(isinstance(e, sa_exc.TimeoutError) for e in chain):
        return Unavailable("SERVICE_UNAVAILABLE", "DATABASE_BUSY", "服务繁忙，请稍后再试", 2)
    if (
        any(st.startswith(_GONE) for st in states if st)
        or any(n in names for n in _GONE_NAMES)
        or any(isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated for e in chain)
        or any(isinstance(e, (ConnectionError, OSError)) for e in chain)
        # A sibling field's statement lost the request's connection (a restart): the
        # session's transaction is invalid, and this field, on the same session, is told
        # so by SQLAlchemy (its code for exactly that: "8s2b").
        or any(isinstance(e, sa_exc.PendingRollbackError) and e.code == "8s2b" for e in chain)
    ):
        return Unavailable(
            "SERVICE_UNAVAILABLE", "DATABASE_UNAVAILABLE", "数据库暂时不可用，请稍后再试", 5
        )
    return None


def _is_input_coercion(exc: Exception) -> bool:
    # Scalars that reject a value raise ValueError inside graphql-core's coercion.
    return isinstance(exc, ValueError) and "coerce" in str(exc).lower()


async def run_prepared(
    schema: Any,
    document: DocumentNode,
    *,
    query: str,
    variable_values: dict[str, Any] | None,
    context_value: Any,
    root_value: Any,
    operation_name: str | None,
    allowed_operation_types: Iterable[OperationType],
    operation_extensions: dict[str, Any] | None,
) -> StrawberryResult:
    """A document parsed and validated before (schema/documents.py), executed without
    strawberry's extension runner: that runner's per-hook context managers, for two
    extensions and four hooks, cost more than executing a small operation. What those hooks
    do for such a document is the OperationExtension's work alone (the document store's is
    done), so it runs here, in the order the runner gives it: the operation's start, the
    execution's start (limits, idempotent replay), graphql-core, then the operation's end
    (commit or roll back, codes). A document seen for the first time, or one with errors,
    takes strawberry's usual path."""
    ec = _KnownOperation(
        query=query,
        schema=schema,
        allowed_operations=allowed_operation_types,
        context=context_value,
        root_value=root_value,
        variables=variable_values,
        provided_operation_name=operation_name,
        operation_extensions=operation_extensions,
        graphql_document=document,
    )
    try:
        operation_type = ec.operation_type
    except RuntimeError as error:
        raise CannotGetOperationTypeError(ec.operation_name) from error
    if operation_type not in ec.allowed_operations:
        raise InvalidOperationTypeError(operation_type)
    extension = OperationExtension()
    extension.execution_context = ec
    operation = extension.on_operation()
    await operation.__anext__()
    try:
        executing = extension.on_execute()
        await executing.__anext__()
        if ec.result is None:
            ec.result = await await_maybe(
                execute(
                    schema._schema,
                    document,
                    root_value=root_value,
                    variable_values=variable_values,
                    operation_name=ec.operation_name,
                    context_value=context_value,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                    operation_extensions=operation_extensions,
                    **execution_context_class_kwargs(schema.execution_context_class),
                )
            )
        await _finish(executing)
    except Exception as exc:
        # Strawberry answers such a failure as an error before execution; here the session
        # is rolled back and given back too (nothing commits it).
        ctx = getattr(context_value, "ctx", None)
        if ctx is not None:
            await _discard(ctx)
            await _end(ctx)
        from strawberry.schema.schema import _coerce_error

        return PreExecutionError(data=None, errors=[_coerce_error(exc)])
    await _finish(operation)  # may replace the result's data and errors
    result = ec.result
    return Result(data=result.data, errors=result.errors)  # type: ignore[union-attr]


class _KnownOperation(StrawberryContext):
    """Strawberry's execution context, its operation's type found once: its property walks
    the document again on each of the three reads of a request (here and in the extension)."""

    @functools.cached_property
    def operation_type(self) -> OperationType:
        return StrawberryContext.operation_type.fget(self)  # type: ignore[attr-defined]


async def _finish(hook: AsyncIterator[None]) -> None:
    """Run a hook's part after its `yield`."""
    async for _ in hook:
        pass
